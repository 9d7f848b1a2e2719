#include "misim/simulation.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "arm.hpp"
#include "station_events.hpp"
#include "token_path.hpp"

namespace misim {

namespace {
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
                                           Recorder& recorder, std::uint64_t& next_request_id) {
  Result<std::unique_ptr<TokenPath>> path = TokenPath::create(
      engine, directory, config.token_path, config.seed, config.warmup, config.duration, recorder, next_request_id);
  if (!path) throw std::invalid_argument("token path does not resolve: " + path.error().message);
  return std::move(path).value();
}

Simulation::Simulation(SimulationConfig config) : Simulation(std::move(config), std::optional<Directory>()) {}

Simulation::Simulation(SimulationConfig config, Directory estate)
    : Simulation(std::move(config), std::optional<Directory>(std::move(estate))) {}

Simulation::Simulation(SimulationConfig config, std::optional<Directory> estate)
    : config_(std::move(config)),
      directory_(estate ? std::move(*estate) : initial_directory(config_)),
      token_path_(make_token_path(engine_, directory_, config_, recorder_, next_request_id_)) {
  // Built: the estate's operations and the callers' names (millions in a fleet) are not read again.
  std::vector<DirectoryOperation>().swap(config_.topology.operations);
  for (CallWorkloadConfig& c : config_.token_path.calls) std::vector<std::string>().swap(c.from);
  timeline_log_.reserve(config_.timeline.size());
  // ARM stands between each timeline operation and its effect; its outages are scheduled first,
  // so one that begins or ends at an operation's time is in force, or over, for it.
  arm_scopes_ =
      std::make_unique<ArmScopes>(config_.timeline, config_.token_path.aad.regions, config_.token_path.arm.limits);
  arm_ = std::make_unique<Arm>(engine_, config_.token_path.arm, config_.seed, recorder_,
                               static_cast<std::uint32_t>(config_.token_path.faults.size()), config_.timeline.size(),
                               [this](std::uint32_t op, bool ok) { ok ? take_effect(op) : arm_failed(op); });
  for (std::size_t i = 0; i < config_.timeline.size(); ++i) {
    engine_.schedule_at(config_.timeline[i].at, [this, i] { apply_timeline(i); });
  }
  stations_.reserve(config_.stages.size());
  for (std::size_t i = 0; i < config_.stages.size(); ++i) {
    StationConfig station = config_.stages[i].station;
    station.warmup = config_.warmup;
    stations_.push_back(std::make_unique<Station>(engine_, config_.stages[i].name, std::move(station),
                                                  RandomStream(config_.seed, i, kPurposeService),
                                                  [this, i](const StationVisit& v) {
                                                    ++requests_.completed;
                                                    TraceEvent e;
                                                    e.kind = EventKind::kStationVisit;
                                                    e.time = v.departure;
                                                    e.begin = v.arrival;
                                                    e.service_start = v.service_start;
                                                    e.request = v.tag;
                                                    e.station = plain_station(i);
                                                    e.flags = kFlagCustomer;
                                                    recorder_.emit(e);
                                                  }));
  }
  sample_interval_ = config_.sample_interval > 0
                         ? config_.sample_interval
                         : std::max<SimTime>(kSecond, (config_.duration / 400 + kSecond - 1) / kSecond * kSecond);
  run_info_ = describe_run();
  busy_area_.assign(run_info_.stations.size(), 0.0);
  arrival_streams_.reserve(config_.workloads.size());
  for (std::size_t w = 0; w < config_.workloads.size(); ++w) {
    arrival_streams_.emplace_back(config_.seed, w, kPurposeArrivals);
    arrival_shapes_.push_back(config_.workloads[w].shape.flat() ? nullptr : &config_.workloads[w].shape);
    const WorkloadConfig& workload = config_.workloads[w];
    if (workload.rate.per_second <= 0.0 || workload.start >= workload.stop) continue;
    engine_.schedule_at(workload.start, [this, w] { schedule_next_arrival(w); });
  }
}

Simulation::~Simulation() = default;

void Simulation::schedule_next_arrival(std::size_t w) {
  const WorkloadConfig& workload = config_.workloads[w];
  const SimTime limit = std::min(workload.stop, config_.duration + 1);
  const SimTime at =
      next_arrival(engine_.now(), workload.rate.mean_interval_ns(), workload.process == ArrivalProcess::kPoisson,
                   arrival_shapes_[w], limit, arrival_streams_[w]);
  if (at == kForever) return;
  engine_.schedule_at(at, [this, w] { on_arrival(w); });
}

void Simulation::on_arrival(std::size_t w) {
  const std::size_t stage = config_.workloads[w].stage;
  const std::uint64_t id = next_request_id_++;
  ++requests_.total;
  const bool admitted = stage == kAadStage ? token_path_->arrive_at_aad(id) : stations_[stage]->arrive(id);
  if (!admitted) {
    ++requests_.rejected;
    TraceEvent e;
    e.kind = EventKind::kRejected;
    e.time = e.begin = e.service_start = engine_.now();
    e.request = id;
    e.station = stage == kAadStage ? TokenPath::aad_station(0) : plain_station(stage);
    e.flags = kFlagCustomer;
    recorder_.emit(e);
  }
  schedule_next_arrival(w);
}

void Simulation::apply_timeline(std::size_t index) {
  arm_->submit(static_cast<std::uint32_t>(index), arm_scopes_->classify(directory_, config_.timeline[index].operation));
}

void Simulation::take_effect(std::size_t index) {
  const TimedOperation& t = config_.timeline[index];
  // A run of deletions at one time (`delete: web` over a template) removes its vertices from the
  // graph in one pass after the last (Directory::begin_deletions): the entries' events were
  // scheduled one after another, and ARM answers them one after another, so nothing else runs
  // between them.
  const auto is_delete = [&](std::size_t i) {
    return i < config_.timeline.size() && config_.timeline[i].operation.kind == OperationKind::kDelete &&
           config_.timeline[i].at == t.at;
  };
  const bool more_deletions_follow =
      is_delete(index) && is_delete(index + 1) &&
      arm_->effect_follows(static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index + 1));
  if (more_deletions_follow) directory_.begin_deletions();
  Result<EntityRef> done = apply(directory_, t.operation, engine_.now());
  if (!more_deletions_follow) directory_.end_deletions();
  timeline_log_.push_back(TimelineRecord{engine_.now(), describe(t.operation), done.ok(),
                                         done ? "" : done.error().message, t.at,
                                         arm_->throttles(static_cast<std::uint32_t>(index))});
  announce_entities();
  TraceEvent e;
  e.kind = EventKind::kOperation;
  e.time = engine_.now();
  e.begin = t.at;  // issued; the same as time unless ARM delayed it
  e.count = static_cast<std::uint32_t>(index);
  e.status = done.ok() ? 1 : 0;
  if (done) {
    e.entity = done->index;
    e.entity_kind = done->kind;
  }
  recorder_.emit(e);
  token_path_->on_directory_changed();
}

void Simulation::arm_failed(std::size_t index) {
  const TimedOperation& t = config_.timeline[index];
  timeline_log_.push_back(TimelineRecord{engine_.now(), describe(t.operation), false,
                                         "ARM outage: the operation failed (503)", t.at,
                                         arm_->throttles(static_cast<std::uint32_t>(index))});
  TraceEvent e;
  e.kind = EventKind::kOperation;
  e.time = engine_.now();
  e.begin = t.at;
  e.count = static_cast<std::uint32_t>(index);
  e.status = 0;
  recorder_.emit(e);
}

std::uint16_t Simulation::plain_station(std::size_t stage) const {
  return static_cast<std::uint16_t>(1 + token_path_->aad_region_count() + stage);
}

RunInfo Simulation::describe_run() const {
  RunInfo run;
  run.seed = config_.seed;
  run.duration = config_.duration;
  run.warmup = config_.warmup;
  run.sample_interval = sample_interval_;
  token_path_->describe_stations(run.stations);
  for (const auto& station : stations_) {
    run.stations.push_back(StationInfo{station->name(), "stage", station->config().servers});
  }
  for (const TimedOperation& t : config_.timeline) run.operations.push_back(describe(t.operation));
  for (const FaultConfig& f : config_.token_path.faults) run.faults.push_back(describe(f));
  for (std::string& f : arm_->describe_outages()) run.faults.push_back(std::move(f));
  run.audiences = token_path_->audiences();
  return run;
}

namespace {
std::string_view entity_type(const Directory& dir, EntityRef ref) {
  switch (ref.kind) {
    case EntityKind::kResource:
      return dir.type_of(ref.as<ResourceId>()).name;
    case EntityKind::kIdentity:
      return to_string(dir.identity(ref.as<IdentityId>()).kind);
    case EntityKind::kRoleAssignment:
      return dir.roles().role(dir.role_assignment(ref.as<RoleAssignmentId>()).role).name;
    default:
      return to_string(ref.kind);
  }
}
}  // namespace

void Simulation::announce_entities() {
  // Sinks learn the entity table only from the lifecycle level up; the fingerprint never needs it.
  if (!recorder_.wants(TraceLevel::kLifecycle)) return;
  for (int k = 0; k < kEntityKindCount; ++k) {
    const auto kind = static_cast<EntityKind>(k);
    const std::size_t n = directory_.count(kind);
    for (std::size_t i = announced_[k]; i < n; ++i) {
      const EntityRef ref(kind, static_cast<std::uint32_t>(i));
      recorder_.entity(EntityInfo{kind, ref.index, entity_type(directory_, ref), directory_.name(ref),
                                  directory_.lifetime(ref).created_at});
    }
    announced_[k] = n;
  }
}

void Simulation::start() {
  started_ = true;
  recorder_.begin(run_info_);
  announce_entities();
  if (sample_interval_ > 0 && sample_interval_ <= config_.duration) {
    engine_.schedule_at(sample_interval_, [this] { sample(); });
  }
}

void Simulation::sample() {
  const SimTime now = engine_.now();
  token_path_->sample(sample_interval_, busy_area_);
  for (std::size_t i = 0; i < stations_.size(); ++i) {
    emit_station_sample(recorder_, *stations_[i], plain_station(i), now, sample_interval_,
                        busy_area_[plain_station(i)]);
  }
  if (now + sample_interval_ <= config_.duration) engine_.schedule_after(sample_interval_, [this] { sample(); });
}

void Simulation::finish(bool interrupted) {
  if (finished_) return;
  if (!started_) start();
  finished_ = true;
  const SimTime now = engine_.now();
  token_path_->emit_in_flight();
  token_path_->emit_totals();
  for (std::size_t i = 0; i < stations_.size(); ++i)
    emit_station_totals(recorder_, *stations_[i], plain_station(i), now);
  recorder_.end(now, interrupted);
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
const ArmStatistics& Simulation::arm_statistics() const noexcept { return arm_->statistics(); }

void Simulation::stop_when(const volatile std::sig_atomic_t* flag) noexcept { engine_.stop_when(flag); }

RunOutcome Simulation::advance(SimTime until) {
  if (!started_) start();
  const RunOutcome outcome = engine_.run_until(until < config_.duration ? until : config_.duration);
  directory_.end_deletions();  // stopped inside a run of deletions: the directory is whole again
  return outcome;
}

}  // namespace misim
