// M/M/5 at utilisation 0.9, three ways, N customers per iteration; one "item" is one customer.
//
//   BM_MMc_Engine/N            misim::Engine + misim::Station: Poisson arrivals are engine events, the
//                              station draws its own exponential service times and keeps its statistics
//   BM_MMc_Baseline/N          the same queue as one plain loop over std::priority_queue of plain
//                              structs and a std::deque of waiting customers: no engine, no station,
//                              but the same statistics as the station (see docs/performance.md)
//   BM_MMc_BaselineMeanOnly/N  the plain loop keeping only the sum of waits: a lower bound
//
// All three draw the same times from the same RandomStreams in the same order and break ties the
// same way (time, then scheduling order), so they follow the same sample path: the first run of
// each benchmark checks that the engine and the full baseline agree bit for bit, and every run
// checks that its mean wait is near Erlang C.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "misim/batch_means.hpp"
#include "misim/distribution.hpp"
#include "misim/engine.hpp"
#include "misim/histogram.hpp"
#include "misim/random.hpp"
#include "misim/running_stats.hpp"
#include "misim/station.hpp"
#include "misim/time_weighted.hpp"

namespace misim::bench {
namespace {

constexpr int kServers = 5;
constexpr double kUtilisation = 0.9;
constexpr double kMeanService = 1e6;  // ns (1 ms); only the ratio to the inter-arrival time matters
constexpr double kOfferedLoad = kServers * kUtilisation;
constexpr double kMeanInterarrival = kMeanService / kOfferedLoad;
constexpr std::int64_t kCustomers = 100'000;
constexpr std::uint64_t kSeed = 7;
// At utilisation 0.9 successive waits are strongly correlated: over 40 seeds, the mean wait of one
// run of 1e5 customers (from an empty system) had a relative standard deviation of 7.4% around
// Erlang C, and a mean 0.7% below it (the empty start). The check allows four standard errors of
// the runs aggregated, plus 1% for the start: loose enough never to fail by chance, tight enough
// to catch a wrong model (a wrong rate or a lost customer moves the mean by far more).
constexpr double kRunRelativeSd = 0.075;  // of a run of kSdCustomers; scales as 1/sqrt(customers)
constexpr double kSdCustomers = 1e5;
constexpr double kStartBias = 0.01;

/// What each implementation reports; the engine and the full baseline must agree exactly.
struct MmcOutcome {
  std::uint64_t arrivals = 0;
  std::uint64_t completed = 0;
  std::uint64_t waits = 0;
  double wait_sum = 0.0;
  double wait_p99 = 0.0;
  double sojourn_sum = 0.0;
  double mean_queue_length = 0.0;
  double mean_busy_servers = 0.0;
  bool operator==(const MmcOutcome&) const = default;
};

RandomStream service_stream(std::uint64_t seed) { return {seed, 0, purpose("bench.mmc.service")}; }
RandomStream arrival_stream(std::uint64_t seed) { return {seed, 0, purpose("bench.mmc.arrivals")}; }

// ---- misim::Engine + misim::Station --------------------------------------------------------

class EngineMmc {
 public:
  EngineMmc(std::uint64_t seed, std::int64_t customers)
      : station_(engine_, "mmc",
                 StationConfig{.servers = kServers, .service = *Distribution::exponential(kMeanService)},
                 service_stream(seed)),
        arrivals_(arrival_stream(seed)),
        customers_(static_cast<std::uint64_t>(customers)) {}

  MmcOutcome run() {
    schedule_next_arrival();
    engine_.run();
    const StationStatistics& s = station_.statistics();
    return {s.arrivals,
            s.completed,
            s.wait.count(),
            s.wait.sum(),
            s.wait.percentile(0.99),
            s.sojourn.sum(),
            s.queue_length.mean(engine_.now()),
            s.busy_servers.mean(engine_.now())};
  }

 private:
  void schedule_next_arrival() {
    engine_.schedule_after(exponential_ns(arrivals_, kMeanInterarrival), [this] { arrive(); });
  }
  void arrive() {
    station_.arrive(next_tag_++);
    if (next_tag_ < customers_) schedule_next_arrival();
  }

  Engine engine_;
  Station station_;
  RandomStream arrivals_;
  std::uint64_t customers_;
  std::uint64_t next_tag_ = 0;
};

// ---- the hand-written baseline -------------------------------------------------------------

enum class Statistics { kSameAsStation, kMeanOnly };

template <Statistics Mode>
class BaselineMmc {
 public:
  BaselineMmc(std::uint64_t seed, std::int64_t customers)
      : services_(service_stream(seed)),
        arrivals_(arrival_stream(seed)),
        customers_(static_cast<std::uint64_t>(customers)) {}

  MmcOutcome run() {
    push(Event{exponential_ns(arrivals_, kMeanInterarrival), 0, 0, Kind::kArrival});
    while (!events_.empty()) {
      const Event e = events_.top();
      events_.pop();
      now_ = e.time;
      if (e.kind == Kind::kArrival) {
        arrive();
        if (++arrived_ < customers_) {
          push(Event{now_ + exponential_ns(arrivals_, kMeanInterarrival), 0, 0, Kind::kArrival});
        }
      } else {
        depart(e.arrival);
      }
    }
    if constexpr (Mode == Statistics::kSameAsStation) {
      return {arrival_count_,
              completed_,
              wait_.count(),
              wait_.sum(),
              wait_.percentile(0.99),
              sojourn_.sum(),
              queue_length_.mean(now_),
              busy_servers_.mean(now_)};
    } else {
      return {arrival_count_, completed_, waits_, wait_sum_, 0.0, 0.0, 0.0, 0.0};
    }
  }

 private:
  enum class Kind : std::uint8_t { kArrival, kDeparture };
  struct Event {
    SimTime time;
    std::uint64_t sequence;
    SimTime arrival;  // of the departing customer
    Kind kind;
  };
  struct RunsLater {
    bool operator()(const Event& a, const Event& b) const noexcept {
      return a.time > b.time || (a.time == b.time && a.sequence > b.sequence);
    }
  };
  struct Waiting {
    SimTime arrival;
    SimTime service_time;
  };

  void push(Event e) {
    e.sequence = next_sequence_++;
    events_.push(e);
  }

  void arrive() {
    ++arrival_count_;
    const SimTime service_time = exponential_ns(services_, kMeanService);
    if (busy_ < kServers) {
      start_service(now_, service_time);
      return;
    }
    waiting_.push_back(Waiting{now_, service_time});
    if constexpr (Mode == Statistics::kSameAsStation) {
      queue_length_.set(now_, static_cast<double>(waiting_.size()));
    }
  }

  void start_service(SimTime arrival, SimTime service_time) {
    ++busy_;
    const auto wait = static_cast<double>(now_ - arrival);
    if constexpr (Mode == Statistics::kSameAsStation) {
      busy_servers_.set(now_, busy_);
      wait_.record(wait);
      wait_moments_.add(wait);
      wait_batches_.add(wait);
    } else {
      wait_sum_ += wait;
      ++waits_;
    }
    push(Event{now_ + service_time, 0, arrival, Kind::kDeparture});
  }

  void depart(SimTime arrival) {
    --busy_;
    ++completed_;
    if constexpr (Mode == Statistics::kSameAsStation) {
      sojourn_.record(static_cast<double>(now_ - arrival));
    }
    if (!waiting_.empty()) {
      const Waiting next = waiting_.front();
      waiting_.pop_front();
      if constexpr (Mode == Statistics::kSameAsStation) {
        queue_length_.set(now_, static_cast<double>(waiting_.size()));
      }
      start_service(next.arrival, next.service_time);
    } else if constexpr (Mode == Statistics::kSameAsStation) {
      busy_servers_.set(now_, busy_);
    }
  }

  std::priority_queue<Event, std::vector<Event>, RunsLater> events_;
  std::deque<Waiting> waiting_;
  RandomStream services_;
  RandomStream arrivals_;
  std::uint64_t customers_;
  std::uint64_t arrived_ = 0;  // arrivals generated (the loop's bound)
  std::uint64_t next_sequence_ = 0;
  SimTime now_ = 0;
  int busy_ = 0;
  std::uint64_t arrival_count_ = 0;
  std::uint64_t completed_ = 0;
  // kSameAsStation: what Station::statistics() holds.
  Histogram wait_;
  Histogram sojourn_;
  RunningStats wait_moments_;
  BatchMeans wait_batches_;
  TimeWeighted queue_length_;
  TimeWeighted busy_servers_;
  // kMeanOnly
  double wait_sum_ = 0.0;
  std::uint64_t waits_ = 0;
};

// ---- checks and benchmarks -----------------------------------------------------------------

/// Empty when the engine and the full baseline follow the same sample path, else what differs.
const std::string& agreement_error() {
  static const std::string error = [] {
    const MmcOutcome a = EngineMmc(kSeed, kCustomers).run();
    const MmcOutcome b = BaselineMmc<Statistics::kSameAsStation>(kSeed, kCustomers).run();
    const MmcOutcome c = BaselineMmc<Statistics::kMeanOnly>(kSeed, kCustomers).run();
    if (!(a == b)) return std::string("engine and baseline disagree on the same seed");
    if (a.wait_sum != c.wait_sum || a.waits != c.waits) return std::string("mean-only baseline disagrees");
    return std::string();
  }();
  return error;
}

template <class Model>
void run_mmc(benchmark::State& state) {
  if (!agreement_error().empty()) {
    state.SkipWithError(agreement_error().c_str());
    return;
  }
  const std::int64_t customers = state.range(0);
  double wait_sum = 0.0;
  std::uint64_t waits = 0;
  std::uint64_t seed = kSeed;
  for (auto _ : state) {
    const MmcOutcome r = Model(seed++, customers).run();
    wait_sum += r.wait_sum;
    waits += r.waits;
  }
  state.SetItemsProcessed(state.iterations() * customers);
  const double expected = erlang_c_mean_wait(kServers, kOfferedLoad, kMeanService);
  const double mean_wait = waits ? wait_sum / static_cast<double>(waits) : 0.0;
  state.counters["wait_ms"] = mean_wait / 1e6;
  state.counters["erlang_c_ms"] = expected / 1e6;
  const double customers_seen = static_cast<double>(state.iterations()) * static_cast<double>(customers);
  const double tolerance = 4.0 * kRunRelativeSd * std::sqrt(kSdCustomers / customers_seen) + kStartBias;
  if (std::abs(mean_wait / expected - 1.0) > tolerance) state.SkipWithError("mean wait far from Erlang C");
}

void BM_MMc_Engine(benchmark::State& state) { run_mmc<EngineMmc>(state); }
void BM_MMc_Baseline(benchmark::State& state) { run_mmc<BaselineMmc<Statistics::kSameAsStation>>(state); }
void BM_MMc_BaselineMeanOnly(benchmark::State& state) { run_mmc<BaselineMmc<Statistics::kMeanOnly>>(state); }
BENCHMARK(BM_MMc_Engine)->Arg(kCustomers)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MMc_Baseline)->Arg(kCustomers)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MMc_BaselineMeanOnly)->Arg(kCustomers)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace misim::bench
