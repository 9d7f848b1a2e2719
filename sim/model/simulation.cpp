#include "misim/simulation.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "token_path.hpp"

namespace misim {

namespace {
// Record kinds fed to the fingerprint.
enum : std::uint64_t { kRecordDeparture = 1, kRecordRejection = 2, kRecordTimeline = 3 };

// Purposes of the random streams this model draws from (see random.hpp).
constexpr std::uint64_t kPurposeService = purpose("stage.service");
constexpr std::uint64_t kPurposeArrivals = purpose("workload.arrivals");
}  // namespace

/// The directory the topology describes. The scenario loader has already built it once to check
/// it, so a failure here is a broken invariant, not bad input.
Directory initial_directory(const SimulationConfig& config) {
  Result<Directory> dir = build_directory(config.topology, config.seed);
  if (!dir) throw std::invalid_argument("topology does not build: " + dir.error().message);
  return std::move(dir).value();
}

std::unique_ptr<TokenPath> make_token_path(Engine& engine, Directory& directory, const SimulationConfig& config,
                                           Fingerprint& fingerprint) {
  Result<std::unique_ptr<TokenPath>> path =
      TokenPath::create(engine, directory, config.token_path, config.seed, config.warmup, fingerprint);
  if (!path) throw std::invalid_argument("token path does not resolve: " + path.error().message);
  return std::move(path).value();
}

Simulation::Simulation(SimulationConfig config)
    : config_(std::move(config)),
      directory_(initial_directory(config_)),
      token_path_(make_token_path(engine_, directory_, config_, fingerprint_)) {
  timeline_log_.reserve(config_.timeline.size());
  for (std::size_t i = 0; i < config_.timeline.size(); ++i) {
    engine_.schedule_at(config_.timeline[i].at, [this, i] { apply_timeline(i); });
  }
  stations_.reserve(config_.stages.size());
  for (std::size_t i = 0; i < config_.stages.size(); ++i) {
    StationConfig station = config_.stages[i].station;
    station.warmup = config_.warmup;
    stations_.push_back(std::make_unique<Station>(
        engine_, config_.stages[i].name, std::move(station), RandomStream(config_.seed, i, kPurposeService),
        [this, i](const StationVisit& v) {
          ++requests_.completed;
          fingerprint_.add({kRecordDeparture, i, v.tag, static_cast<std::uint64_t>(v.arrival),
                            static_cast<std::uint64_t>(v.service_start), static_cast<std::uint64_t>(v.departure)});
        }));
  }
  arrival_streams_.reserve(config_.workloads.size());
  for (std::size_t w = 0; w < config_.workloads.size(); ++w) {
    arrival_streams_.emplace_back(config_.seed, w, kPurposeArrivals);
    const WorkloadConfig& workload = config_.workloads[w];
    if (workload.rate.per_second <= 0.0 || workload.start >= workload.stop) continue;
    engine_.schedule_at(workload.start, [this, w] { schedule_next_arrival(w); });
  }
}

Simulation::~Simulation() = default;

void Simulation::schedule_next_arrival(std::size_t w) {
  const WorkloadConfig& workload = config_.workloads[w];
  const double mean_ns = workload.rate.mean_interval_ns();
  double gap = mean_ns;
  if (workload.process == ArrivalProcess::kPoisson) gap = -mean_ns * std::log(arrival_streams_[w].uniform_open0());
  const SimTime at = engine_.now() + std::max<SimTime>(1, std::llround(gap));
  if (at >= workload.stop || at > config_.duration) return;
  engine_.schedule_at(at, [this, w] { on_arrival(w); });
}

void Simulation::on_arrival(std::size_t w) {
  const std::size_t stage = config_.workloads[w].stage;
  const std::uint64_t id = next_request_id_++;
  ++requests_.total;
  const bool admitted = stage == kAadStage ? token_path_->arrive_at_aad(id) : stations_[stage]->arrive(id);
  if (!admitted) {
    ++requests_.rejected;
    fingerprint_.add({kRecordRejection, stage, id, static_cast<std::uint64_t>(engine_.now())});
  }
  schedule_next_arrival(w);
}

void Simulation::apply_timeline(std::size_t index) {
  const TimedOperation& t = config_.timeline[index];
  Result<EntityRef> done = apply(directory_, t.operation, engine_.now());
  timeline_log_.push_back(
      TimelineRecord{engine_.now(), describe(t.operation), done.ok(), done ? "" : done.error().message});
  token_path_->on_directory_changed();
  fingerprint_.add({kRecordTimeline, index, static_cast<std::uint64_t>(engine_.now()), done.ok() ? 1U : 0U});
}

RequestCounts Simulation::requests() const noexcept {
  RequestCounts r = requests_;
  r.completed += token_path_->raw_completed();
  return r;
}

const TokenPathStatistics& Simulation::token_statistics() const noexcept { return token_path_->statistics(); }
const std::vector<AccessPair>& Simulation::access_pairs() const noexcept { return token_path_->access_pairs(); }
std::size_t Simulation::aad_region_count() const noexcept { return token_path_->aad_region_count(); }
const Station& Simulation::aad_region(std::size_t index) const { return token_path_->aad_region(index); }

RunOutcome Simulation::advance(SimTime until) {
  return engine_.run_until(until < config_.duration ? until : config_.duration);
}

}  // namespace misim
