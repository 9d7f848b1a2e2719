// The plan of a sweep: replication seeds, the definition's hash, which run comes next, precision
// waves, and the statistics of a point.
#include <algorithm>
#include <cmath>
#include <limits>

#include "misim/confidence.hpp"
#include "misim/fingerprint.hpp"
#include "misim/random.hpp"
#include "misim/sweep.hpp"

namespace misim {

namespace {

// Seeds are cut to 48 bits: exact in a double (JSON readers, JavaScript) and within the 15 digits
// a spreadsheet keeps, so a seed copied from runs.csv reproduces its run.
constexpr std::uint64_t kSeedMask = (std::uint64_t{1} << 48) - 1;

// Odd constants that keep the three parts of the key apart before mixing (the same role as in
// RandomStream's key hashing); kCommonPoint stands for "every point" under common random numbers.
constexpr std::uint64_t kSeedSalt = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t kPointSalt = 0x632be59bd9b4e019ULL;
constexpr std::uint64_t kReplicationSalt = 0x8cb92ba72f3d8dd7ULL;
constexpr std::uint64_t kCommonPoint = 0xa0761d6478bd642fULL;

void append_field(std::string& out, std::string_view name, std::string_view value) {
  // Length-prefixed, so no value can be mistaken for a separator.
  out += name;
  out += ':';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

}  // namespace

std::uint64_t replication_seed(const SweepDefinition& sweep, std::size_t point, std::size_t replication) noexcept {
  std::uint64_t k = mix64(sweep.seed + kSeedSalt);
  k = mix64(k ^ (sweep.common_random_numbers ? kCommonPoint : point + kPointSalt));
  k = mix64(k ^ (replication + kReplicationSalt));
  return k & kSeedMask;
}

std::string sweep_definition_hash(const SweepDefinition& sweep) {
  std::string canonical;
  append_field(canonical, "format", "misim-sweep-1");
  append_field(canonical, "scenario", sweep.scenario_text);
  append_field(canonical, "seed", std::to_string(sweep.seed));
  append_field(canonical, "crn", sweep.common_random_numbers ? "1" : "0");
  append_field(canonical, "duration", sweep.duration ? std::to_string(*sweep.duration) : "-");
  for (const std::string& m : sweep.metrics) append_field(canonical, "metric", m);
  for (const SweepPoint& point : sweep.points) {
    append_field(canonical, "point", "");
    for (const auto& [name, value] : point) append_field(canonical, name, value);
  }
  return to_hex64(mix64(purpose(canonical)));
}

SweepPlan::SweepPlan(const SweepDefinition& sweep, const std::vector<RunRecord>& journal)
    : sweep_(sweep), points_(sweep.points.size()) {
  for (const RunRecord& r : journal) {
    // A record for another seed (a journal of another sweep that slipped through) is not this run.
    if (r.run.point >= points_.size() || r.run.seed != replication_seed(sweep, r.run.point, r.run.replication)) {
      continue;
    }
    journal_.insert_or_assign({r.run.point, r.run.replication}, r);
  }
  for (std::size_t p = 0; p < points_.size(); ++p) want(p, sweep.replications);
}

void SweepPlan::want(std::size_t point, std::size_t replications) {
  PointState& state = points_[point];
  const std::size_t from = state.wanted;
  if (replications <= from) return;
  state.wanted = replications;
  wanted_ += replications - from;
  for (std::size_t r = from; r < replications; ++r) {
    const auto found = journal_.find({point, r});
    if (found != journal_.end()) {
      // Finished in an earlier session: taken as it is, in the same order a fresh run would see.
      RunRecord record = std::move(found->second);
      journal_.erase(found);
      ++resumed_;
      finish(std::move(record));
    } else {
      pending_.push_back({point, r, replication_seed(sweep_, point, r)});
    }
  }
}

std::optional<SweepRun> SweepPlan::next() {
  if (pending_.empty()) return std::nullopt;
  const SweepRun run = pending_.front();
  pending_.pop_front();
  ++started_;
  return run;
}

void SweepPlan::complete(RunRecord record) {
  --started_;
  finish(std::move(record));
}

void SweepPlan::finish(RunRecord record) {
  const std::size_t point = record.run.point;
  ++finished_;
  if (!record.ok) ++failed_;
  done_.insert_or_assign({point, record.run.replication}, std::move(record));
  PointState& state = points_[point];
  ++state.finished;
  if (state.finished == state.wanted) decide_more(point);
}

void SweepPlan::decide_more(std::size_t point) {
  if (!sweep_.precision) return;
  const PrecisionTarget& target = *sweep_.precision;
  const std::size_t wanted = points_[point].wanted;
  if (wanted >= target.max_replications) return;
  std::vector<double> values;
  for (std::size_t r = 0; r < wanted; ++r) {
    const RunRecord& record = done_.at({point, r});
    if (record.ok && record.metrics[target.metric]) values.push_back(*record.metrics[target.metric]);
  }
  // A point whose every run failed (or lacks the metric) would only fail again.
  if (values.empty()) return;
  std::size_t more = wanted + 1;
  if (values.size() >= 2) {
    const MetricStatistics s = metric_statistics(values);
    const double goal = target.relative_half_width * std::fabs(s.mean);
    if (s.half_width() <= goal) return;
    // The half-width shrinks as 1/sqrt(n): n * (hw/goal)^2 replications should meet the goal.
    // At most double the wave, so one noisy early estimate cannot run to the maximum at once.
    const double estimate = goal > 0
                                ? std::ceil(static_cast<double>(values.size()) * std::pow(s.half_width() / goal, 2))
                                : std::numeric_limits<double>::infinity();
    const double capped = std::min(estimate, static_cast<double>(2 * wanted));
    more = std::max(more, static_cast<std::size_t>(capped));
  }
  want(point, std::min(more, target.max_replications));
}

std::vector<RunRecord> SweepPlan::records() const {
  std::vector<RunRecord> out;
  out.reserve(done_.size());
  for (const auto& [key, record] : done_) out.push_back(record);
  return out;
}

MetricStatistics metric_statistics(const std::vector<double>& values) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  MetricStatistics s;
  s.n = values.size();
  if (s.n == 0) return {0, kNaN, kNaN, kNaN, kNaN};
  // Two passes in the values' order: the same doubles whatever ran the replications.
  double sum = 0;
  for (const double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) {
    s.sd = s.ci_low = s.ci_high = kNaN;
    return s;
  }
  double squares = 0;
  for (const double v : values) squares += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(squares / static_cast<double>(s.n - 1));
  const ConfidenceInterval ci =
      mean_interval(s.mean, s.sd / std::sqrt(static_cast<double>(s.n)), static_cast<double>(s.n - 1));
  s.ci_low = ci.low;
  s.ci_high = ci.high;
  return s;
}

std::vector<PointSummary> summarise_points(const SweepDefinition& sweep, const std::vector<RunRecord>& records) {
  std::vector<PointSummary> points(sweep.points.size());
  std::vector<std::vector<std::vector<double>>> values(sweep.points.size(),
                                                       std::vector<std::vector<double>>(sweep.metrics.size()));
  for (std::size_t p = 0; p < points.size(); ++p) points[p].point = p;
  for (const RunRecord& r : records) {
    PointSummary& point = points.at(r.run.point);
    ++point.runs;
    if (!r.ok) {
      ++point.failed;
      continue;
    }
    for (std::size_t m = 0; m < sweep.metrics.size() && m < r.metrics.size(); ++m) {
      if (r.metrics[m]) values[r.run.point][m].push_back(*r.metrics[m]);
    }
  }
  for (std::size_t p = 0; p < points.size(); ++p) {
    for (const std::vector<double>& v : values[p]) points[p].metrics.push_back(metric_statistics(v));
  }
  return points;
}

}  // namespace misim
