// Sweep: many runs of one scenario, over a grid of params and replications of each point, with
// a 95% confidence interval per point and metric (docs/sweeps.md).
//
// A sweep file names a scenario, the params to vary, how many replications, the metrics (paths
// into summary.json) and a seed. Each replication's seed is derived from (sweep seed, point,
// replication), so any one run can be repeated alone with `misim run FILE --seed S --set ...`.
// The plan hands out runs in (point, replication) order and keeps finished ones in that order, so
// the results are the same whatever ran them, one thread or a hundred MPI ranks.
//
//   Result<SweepDefinition> sweep = load_sweep_file("bench/sweeps/imds-throttling.sweep.yaml");
//   SweepPlan plan(*sweep, {});                         // nothing finished before
//   while (std::optional<SweepRun> run = plan.next()) plan.complete(*run_sweep_replication(*sweep, *run));
//   std::vector<PointSummary> points = summarise_points(*sweep, plan.records());
//   out.write("results.csv", sweep_results_csv(*sweep, points));
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "misim/result.hpp"
#include "misim/time.hpp"

namespace misim {

/// `precision: {metric: M, relative_half_width: 0.05, max_replications: 50}`: replicate a point
/// until the 95% interval of M's mean is narrower than ±5% of the mean, at most 50 times.
struct PrecisionTarget {
  std::size_t metric = 0;  // index into SweepDefinition::metrics
  double relative_half_width = 0.05;
  std::size_t max_replications = 50;
};

/// One combination of param values: (name, value as text), in the order the params were swept.
using SweepPoint = std::vector<std::pair<std::string, std::string>>;

struct SweepDefinition {
  std::string file;  // the sweep file, as named on the command line
  std::string name;  // `name:`, else the file's name without .sweep.yaml
  std::string description;
  std::string scenario_file;       // the scenario, relative to the sweep file's folder when written so
  std::string scenario_text;       // its bytes, read once: every run loads this text
  std::vector<std::string> swept;  // the param names the points set, in the order written
  std::vector<SweepPoint> points;
  std::size_t replications = 1;  // per point (the first wave when there is a precision target)
  std::vector<std::string> metrics;
  std::uint64_t seed = 1;
  /// Common random numbers: every point's replication r runs with the same seed, so differences
  /// between points are not blurred by different random draws.
  bool common_random_numbers = false;
  std::optional<SimTime> duration;  // overrides the scenario's
  std::optional<PrecisionTarget> precision;
};

/// Reads a sweep file and the scenario it names (checked to load, and to have the swept params).
/// Errors are placed at FILE:LINE:COL of the sweep file, or of the scenario for its own errors.
Result<SweepDefinition> load_sweep_file(const std::string& path);
/// The same from text; `file` names it in errors and anchors the scenario's relative path.
Result<SweepDefinition> load_sweep_text(const std::string& text, const std::string& file);

/// The seed of one replication: a hash of (sweep seed, point, replication), without the point
/// under common random numbers. Kept to 48 bits so it survives spreadsheets and JSON readers that
/// hold numbers as doubles.
[[nodiscard]] std::uint64_t replication_seed(const SweepDefinition& sweep, std::size_t point,
                                             std::size_t replication) noexcept;

/// A hash of everything that decides a run's result (scenario text, points, metrics, seed, common
/// random numbers, duration), as 16 hex digits. Not the replication count or the precision
/// target: raising them resumes the same journal.
[[nodiscard]] std::string sweep_definition_hash(const SweepDefinition& sweep);

/// One replication of one point.
struct SweepRun {
  std::size_t point = 0;
  std::size_t replication = 0;
  std::uint64_t seed = 0;
};

/// What one run gave: its metrics, or the error that stopped it.
struct RunRecord {
  SweepRun run;
  bool ok = false;
  std::string error;  // when not ok
  bool expectations_met = false;
  /// Per SweepDefinition::metrics; empty when the run's summary has no number there.
  std::vector<std::optional<double>> metrics;
  std::uint64_t events = 0;
  double wall_seconds = 0.0;  // journal only: never in the results, which must not depend on the machine
};

/// Loads the scenario with the point's params and the run's seed, runs it to its end and reads
/// the metrics from its Summary: the steps of `misim run`. A failed load or run is a record with
/// its error; nullopt only when `stop` was raised before the end (the run is abandoned).
[[nodiscard]] std::optional<RunRecord> run_sweep_replication(const SweepDefinition& sweep, const SweepRun& run,
                                                             const std::atomic<bool>* stop = nullptr);

/// The runs of a sweep: which to start next, and the finished ones in (point, replication) order.
/// Replications a journal already holds are taken from it, not run again. With a precision target,
/// a point gets more replications only once all it was given have finished, and how many depends
/// only on those: the same plan whatever order runs finish in. Not thread-safe.
class SweepPlan {
 public:
  SweepPlan(const SweepDefinition& sweep, const std::vector<RunRecord>& journal);

  /// The next run to start, or nothing for now (all started; or waiting on a point's wave).
  [[nodiscard]] std::optional<SweepRun> next();
  /// Records a finished run that next() handed out.
  void complete(RunRecord record);
  /// Every run the plan will ever want has finished.
  [[nodiscard]] bool done() const noexcept { return pending_.empty() && started_ == 0; }

  [[nodiscard]] std::size_t finished() const noexcept { return finished_; }
  /// Runs wanted so far (it grows with a precision target).
  [[nodiscard]] std::size_t wanted() const noexcept { return wanted_; }
  [[nodiscard]] std::size_t failed() const noexcept { return failed_; }
  /// Finished runs taken from the journal.
  [[nodiscard]] std::size_t resumed() const noexcept { return resumed_; }
  /// The finished runs, by (point, replication).
  [[nodiscard]] std::vector<RunRecord> records() const;

 private:
  struct PointState {
    std::size_t wanted = 0;  // replications 0..wanted-1
    std::size_t finished = 0;
  };
  void want(std::size_t point, std::size_t replications);
  void finish(RunRecord record);
  void decide_more(std::size_t point);

  const SweepDefinition& sweep_;
  std::map<std::pair<std::size_t, std::size_t>, RunRecord> journal_;  // not yet wanted
  std::map<std::pair<std::size_t, std::size_t>, RunRecord> done_;
  std::vector<PointState> points_;
  std::deque<SweepRun> pending_;
  std::size_t started_ = 0;
  std::size_t finished_ = 0;
  std::size_t wanted_ = 0;
  std::size_t failed_ = 0;
  std::size_t resumed_ = 0;
};

/// n, mean, sample standard deviation and the 95% Student-t interval of a mean. With n < 2 the
/// standard deviation and interval are NaN; with n == 0 the mean too.
struct MetricStatistics {
  std::size_t n = 0;
  double mean = 0.0;
  double sd = 0.0;
  double ci_low = 0.0;
  double ci_high = 0.0;
  [[nodiscard]] double half_width() const noexcept { return 0.5 * (ci_high - ci_low); }
};
[[nodiscard]] MetricStatistics metric_statistics(const std::vector<double>& values);

/// A point's runs and the statistics of each metric over its successful runs that have it.
struct PointSummary {
  std::size_t point = 0;
  std::size_t runs = 0;
  std::size_t failed = 0;
  std::vector<MetricStatistics> metrics;  // per SweepDefinition::metrics
};
[[nodiscard]] std::vector<PointSummary> summarise_points(const SweepDefinition& sweep,
                                                         const std::vector<RunRecord>& records);

/// One line of the journal (and of an MPI result message): the record as compact JSON.
[[nodiscard]] std::string run_record_json(const RunRecord& record);
/// Reads a line written by run_record_json; nothing when it is not one (a line cut by a crash).
[[nodiscard]] std::optional<RunRecord> parse_run_record(std::string_view line, std::size_t metric_count);

/// DIR/journal.jsonl: a header naming the sweep's definition hash, then one line per finished
/// run, each flushed and synced to disk as soon as the run ends, so killing a sweep loses only the
/// runs in flight. Move-only: it owns the open file.
class SweepJournal {
 public:
  enum class Mode {
    kResume,         // keep the runs of the same sweep; refuse a journal of another one
    kFresh,          // discard whatever is there
    kResumeOrFresh,  // keep the same sweep's runs, discard another's (misim run --replications)
  };
  static Result<SweepJournal> open(const std::string& directory, const SweepDefinition& sweep, Mode mode);
  SweepJournal(SweepJournal&& other) noexcept;
  SweepJournal& operator=(SweepJournal&& other) noexcept;
  SweepJournal(const SweepJournal&) = delete;
  SweepJournal& operator=(const SweepJournal&) = delete;
  ~SweepJournal();

  /// The runs the journal held when opened, in the order they were written.
  [[nodiscard]] const std::vector<RunRecord>& finished() const noexcept { return finished_; }
  /// Why an old journal was discarded (empty when it was not).
  [[nodiscard]] const std::string& discarded() const noexcept { return discarded_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// Appends one run and syncs it to disk.
  Status append(const RunRecord& record);
  /// Appends runs with one write and one sync (the sync costs milliseconds on a disk: rank 0
  /// shares it among the records that arrived together).
  Status append(const std::vector<RunRecord>& records);

 private:
  SweepJournal() = default;
  int fd_ = -1;
  std::string path_;
  std::vector<RunRecord> finished_;
  std::string discarded_;
};

/// results.csv: one row per point and metric (long form, ready for a data frame).
[[nodiscard]] std::string sweep_results_csv(const SweepDefinition& sweep, const std::vector<PointSummary>& points);
/// runs.csv: one row per run, with its seed to repeat it alone.
[[nodiscard]] std::string sweep_runs_csv(const SweepDefinition& sweep, const std::vector<RunRecord>& records);
/// results.json: the definition, the per-point statistics and every run.
[[nodiscard]] std::string sweep_results_json(const SweepDefinition& sweep, const std::vector<PointSummary>& points,
                                             const std::vector<RunRecord>& records);
/// report.html: each metric against the swept params with its intervals, and the table of points.
/// Self-contained (inline SVG and style, nothing fetched).
[[nodiscard]] std::string sweep_report_html(const SweepDefinition& sweep, const std::vector<PointSummary>& points,
                                            const std::vector<RunRecord>& records);

}  // namespace misim
