// Station: a queueing station with c identical servers, a service-time distribution and a FIFO
// waiting room of finite or infinite capacity (an M/G/c/K queue when fed Poisson arrivals).
// IMDS, AAD and MIRP are built on it.
//
// A customer is an opaque 64-bit tag (the model's request id). arrive() admits it (served at once
// or queued) or rejects it when the waiting room is full; when its service ends the station calls
// the departure handler with the customer's timings. Statistics exclude a warm-up period.
//
//   Station aad(engine, "aad", {.servers = 64, .service = *Distribution::exponential(40e6)},
//               RandomStream(seed, 0, purpose("aad.service")),
//               [&](const StationVisit& v) { on_token_issued(v.tag); });
//   if (!aad.arrive(request_id)) reply_429(request_id);
#pragma once

#include <cstdint>
#include <string>

#include "misim/batch_means.hpp"
#include "misim/distribution.hpp"
#include "misim/engine.hpp"
#include "misim/histogram.hpp"
#include "misim/random.hpp"
#include "misim/ring_queue.hpp"
#include "misim/running_stats.hpp"
#include "misim/time_weighted.hpp"

namespace misim {

struct StationConfig {
  int servers = 1;
  /// Places in the waiting room (not counting customers in service); negative: unlimited.
  std::int64_t queue_capacity = -1;
  /// Service time in nanoseconds.
  Distribution service;
  /// Statistics ignore customers arriving before this time, and time-averages start here.
  SimTime warmup = 0;
};

/// One customer's passage through a station.
struct StationVisit {
  std::uint64_t tag;
  SimTime arrival;
  SimTime service_start;
  SimTime departure;
  [[nodiscard]] SimTime wait() const noexcept { return service_start - arrival; }
  [[nodiscard]] SimTime sojourn() const noexcept { return departure - arrival; }
};

/// What a station measured (after its warm-up). Times are in nanoseconds.
struct StationStatistics {
  std::uint64_t arrivals = 0;
  std::uint64_t rejected = 0;
  std::uint64_t completed = 0;
  Histogram wait;
  Histogram sojourn;
  RunningStats wait_moments;
  BatchMeans wait_batches;  // confidence interval of the mean wait from this one run
  TimeWeighted queue_length;
  TimeWeighted busy_servers;
};

class Station {
 public:
  using DepartureHandler = InplaceFunction<void(const StationVisit&), 32>;

  Station(Engine& engine, std::string name, StationConfig config, RandomStream service_stream,
          DepartureHandler on_departure = {});
  Station(const Station&) = delete;
  Station& operator=(const Station&) = delete;

  /// A customer arrives now, with a service time drawn from the station's distribution.
  /// Returns false (and counts a rejection) when the waiting room is full.
  bool arrive(std::uint64_t tag) { return arrive(tag, draw_service_time()); }
  /// A customer arrives now with a given service time (for models that decide it themselves).
  bool arrive(std::uint64_t tag, SimTime service_time);
  /// A customer arrives now with a service time drawn from the station's distribution and
  /// multiplied by `factor` (a degraded service; factor 1 draws exactly as arrive(tag)).
  bool arrive_scaled(std::uint64_t tag, double factor) {
    const SimTime t = draw_service_time();
    return arrive(tag, factor == 1.0 ? t : static_cast<SimTime>(static_cast<double>(t) * factor + 0.5));
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const StationConfig& config() const noexcept { return config_; }
  [[nodiscard]] const StationStatistics& statistics() const noexcept { return stats_; }
  [[nodiscard]] int busy_servers() const noexcept { return busy_; }
  [[nodiscard]] std::size_t queue_length() const noexcept { return queue_.size(); }
  /// Mean fraction of servers busy from the end of warm-up to `now`.
  [[nodiscard]] double utilization(SimTime now) const noexcept {
    return stats_.busy_servers.mean(now) / config_.servers;
  }

 private:
  struct Waiting {
    std::uint64_t tag;
    SimTime arrival;
    SimTime service_time;
  };

  SimTime draw_service_time();
  void start_service(const Waiting& customer);
  void depart(const StationVisit& visit);
  [[nodiscard]] bool measuring(SimTime t) const noexcept { return t >= config_.warmup; }

  Engine& engine_;
  std::string name_;
  StationConfig config_;
  RandomStream service_stream_;
  DepartureHandler on_departure_;
  RingQueue<Waiting> queue_;
  int busy_ = 0;
  StationStatistics stats_;
};

}  // namespace misim
