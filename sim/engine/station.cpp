#include "misim/station.hpp"

#include <cmath>
#include <utility>

namespace misim {

Station::Station(Engine& engine, std::string name, StationConfig config, RandomStream service_stream,
                 DepartureHandler on_departure)
    : engine_(engine),
      name_(std::move(name)),
      config_(std::move(config)),
      service_stream_(service_stream),
      on_departure_(std::move(on_departure)) {
  if (config_.servers < 1) config_.servers = 1;
  stats_.queue_length = TimeWeighted(engine_.now());
  stats_.busy_servers = TimeWeighted(engine_.now());
  if (config_.warmup > engine_.now()) {
    engine_.schedule_at(config_.warmup, [this] {
      stats_.queue_length.restart(engine_.now());
      stats_.busy_servers.restart(engine_.now());
    });
  }
}

SimTime Station::draw_service_time() {
  const double x = config_.service.sample(service_stream_);
  // Round to whole nanoseconds; distributions never return negatives, but guard anyway.
  return x > 0.0 ? round_ns(x) : 0;
}

bool Station::arrive(std::uint64_t tag, SimTime service_time) {
  const SimTime now = engine_.now();
  const bool measured = measuring(now);
  if (measured) ++stats_.arrivals;
  const Waiting customer{tag, now, service_time};
  if (busy_ < config_.servers) {
    start_service(customer);
    return true;
  }
  if (config_.queue_capacity >= 0 && static_cast<std::int64_t>(queue_.size()) >= config_.queue_capacity) {
    if (measured) ++stats_.rejected;
    return false;
  }
  queue_.push_back(customer);
  stats_.queue_length.set(now, static_cast<double>(queue_.size()));
  return true;
}

void Station::start_service(const Waiting& customer) {
  const SimTime now = engine_.now();
  ++busy_;
  stats_.busy_servers.set(now, busy_);
  const StationVisit visit{customer.tag, customer.arrival, now, now + customer.service_time};
  engine_.schedule_at(visit.departure, [this, visit] { depart(visit); });
}

void Station::depart(const StationVisit& visit) {
  const SimTime now = engine_.now();
  --busy_;
  if (measuring(now)) ++stats_.completed;
  if (measuring(visit.arrival)) {
    // Both recorded at departure, so the statistics cover exactly the customers that finished,
    // as a trace's station visits do (summary.json and `misim trace stats` agree).
    const auto wait = static_cast<double>(visit.service_start - visit.arrival);
    stats_.wait.record(wait);
    stats_.wait_moments.add(wait);
    stats_.wait_batches.add(wait);
    stats_.sojourn.record(static_cast<double>(visit.sojourn()));
  }
  if (!queue_.empty()) {
    const Waiting next = queue_.pop_front();
    stats_.queue_length.set(now, static_cast<double>(queue_.size()));
    start_service(next);  // busy_ goes back up: the server passes straight to the next customer
  } else {
    stats_.busy_servers.set(now, busy_);
  }
  if (on_departure_) on_departure_(visit);
}

}  // namespace misim
