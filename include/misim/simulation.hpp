// Simulation: a configured model ready to run on its own Engine.
//
// At this stage of misim the model is the identity directory, changed by the timeline's lifecycle
// operations at their times, and a network of queueing stations (the stages a token request
// passes: imds, mirp, aad, ...) fed by workload generators; the token path builds on both. A Simulation is built from a
// SimulationConfig (which the scenario loader produces from YAML), runs in slices so the caller can show progress, and
// exposes what it measured.
//
//   Simulation sim(config);
//   while (sim.advance(sim.now() + kMinute) == RunOutcome::kReachedEnd && sim.now() < config.duration) {}
//   sim.stage_statistics(0).wait.percentile(0.99);
#pragma once

#include <array>
#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "misim/arm_results.hpp"
#include "misim/engine.hpp"
#include "misim/rate_shape.hpp"
#include "misim/station.hpp"
#include "misim/time.hpp"
#include "misim/token_path_config.hpp"
#include "misim/token_path_results.hpp"
#include "misim/topology.hpp"
#include "misim/trace_event.hpp"

namespace misim {

/// A named stage of the control plane, simulated as a queueing station.
struct StageConfig {
  std::string name;
  StationConfig station;
};

enum class ArrivalProcess { kPoisson, kConstant };

/// WorkloadConfig::stage of requests into the token path's AAD (its first region's station).
inline constexpr std::size_t kAadStage = SIZE_MAX;

/// A stream of requests into one stage.
struct WorkloadConfig {
  std::string name;
  std::size_t stage = 0;  // index into SimulationConfig::stages, or kAadStage
  Rate rate;
  ArrivalProcess process = ArrivalProcess::kPoisson;
  SimTime start = 0;
  SimTime stop = kForever;
  /// A daily profile and bursts; flat by default.
  RateShape shape;
};

struct SimulationConfig {
  std::uint64_t seed = 1;
  SimTime duration = kHour;
  SimTime warmup = 0;
  std::vector<StageConfig> stages;
  std::vector<WorkloadConfig> workloads;
  /// The estate at time 0, and the lifecycle operations applied during the run.
  TopologyConfig topology;
  std::vector<TimedOperation> timeline;
  /// Token endpoints, AAD, MIRP, propagation, application calls and faults.
  TokenPathConfig token_path;
  /// How often stations are sampled (queue, busy servers, utilisation) for traces and reports;
  /// 0: a 400th of the duration, at least a second.
  SimTime sample_interval = 0;
};

/// What became of one timeline operation.
struct TimelineRecord {
  SimTime at = 0;         // when it took effect (or failed at ARM)
  std::string operation;  // described in words
  bool applied = false;
  std::string error;            // why not, when not applied
  SimTime issued = 0;           // when the timeline issued it (ARM: docs/model.md)
  std::uint32_t throttled = 0;  // 429s ARM answered it with
};

/// Per-request outcome counts across all stages.
struct RequestCounts {
  std::uint64_t total = 0;      // generated
  std::uint64_t completed = 0;  // served by their stage
  std::uint64_t rejected = 0;   // turned away by a full waiting room
};

class TokenPath;
class Arm;
class ArmScopes;

class Simulation {
 public:
  explicit Simulation(SimulationConfig config);
  /// With the estate already built: `estate` must be build_directory(config.topology, config.seed),
  /// as load_scenario_file builds it beside its check (a fleet's estate is not built twice).
  Simulation(SimulationConfig config, Directory estate);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Sends the run's events to `sink` from now on (before the first advance, to see them all).
  void attach(EventSink& sink, TraceLevel level) { recorder_.attach(sink, level); }
  /// Runs events up to `until` (capped at the configured duration).
  RunOutcome advance(SimTime until);
  /// Ends the run where it stands: emits every station's totals and tells the sinks. Call once,
  /// after the last advance (interrupted: stopped before the configured duration).
  void finish(bool interrupted);
  /// Runs to the configured duration.
  RunOutcome run() { return advance(config_.duration); }
  /// Stops at the current event (from a signal handler's flag, a progress callback, ...).
  void stop() { engine_.stop(); }
  /// Stops at the current event whenever `*flag` is non-zero (a signal handler's flag; misim run's
  /// SIGINT and SIGTERM), checked after every event; advance() then returns kStopped at once.
  void stop_when(const volatile std::sig_atomic_t* flag) noexcept;

  [[nodiscard]] SimTime now() const noexcept { return engine_.now(); }
  [[nodiscard]] bool finished() const noexcept { return engine_.now() >= config_.duration; }
  /// The configuration, less what only building needed: `topology.operations` and the calling
  /// resources' names (`token_path.calls[].from`) are released once the run is built.
  [[nodiscard]] const SimulationConfig& config() const noexcept { return config_; }
  [[nodiscard]] std::uint64_t executed_events() const noexcept { return engine_.executed_events(); }
  [[nodiscard]] std::size_t stage_count() const noexcept { return stations_.size(); }
  [[nodiscard]] const Station& stage(std::size_t index) const { return *stations_[index]; }
  /// Requests of plain stage workloads (`stage:`), not token requests.
  [[nodiscard]] RequestCounts requests() const noexcept;
  /// A hash of everything that happened, identical across platforms for the same inputs.
  [[nodiscard]] std::uint64_t fingerprint() const { return recorder_.fingerprint(); }
  /// The stations, operations and faults as events name them.
  [[nodiscard]] const RunInfo& run_info() const noexcept { return run_info_; }
  /// The identity directory as it stands now.
  [[nodiscard]] const Directory& directory() const noexcept { return directory_; }
  [[nodiscard]] const std::vector<TimelineRecord>& timeline() const noexcept { return timeline_log_; }
  [[nodiscard]] const TokenPathStatistics& token_statistics() const noexcept;
  [[nodiscard]] const std::vector<AccessPair>& access_pairs() const noexcept;
  /// The AAD regions' stations.
  [[nodiscard]] std::size_t aad_region_count() const noexcept;
  [[nodiscard]] const Station& aad_region(std::size_t index) const;
  /// What ARM did with the timeline's operations.
  [[nodiscard]] const ArmStatistics& arm_statistics() const noexcept;

 private:
  Simulation(SimulationConfig config, std::optional<Directory> estate);

  void schedule_next_arrival(std::size_t workload);
  void on_arrival(std::size_t workload);
  /// The timeline issues operation `index` to ARM; take_effect applies it when ARM answers.
  void apply_timeline(std::size_t index);
  void take_effect(std::size_t index);
  /// ARM failed the operation (an outage in `errors` mode).
  void arm_failed(std::size_t index);
  void start();
  void sample();
  void announce_entities();
  [[nodiscard]] RunInfo describe_run() const;
  /// The number of plain stage `stage` in RunInfo::stations (after the token path's).
  [[nodiscard]] std::uint16_t plain_station(std::size_t stage) const;

  SimulationConfig config_;
  Engine engine_;
  Directory directory_;
  std::vector<TimelineRecord> timeline_log_;
  Recorder recorder_;
  RunInfo run_info_;
  bool started_ = false;
  bool finished_ = false;
  std::array<std::size_t, kEntityKindCount> announced_{};  // entities told to the sinks, by kind
  SimTime sample_interval_ = 0;
  std::vector<double> busy_area_;  // per station, at the last sample
  std::unique_ptr<TokenPath> token_path_;
  std::unique_ptr<ArmScopes> arm_scopes_;
  std::unique_ptr<Arm> arm_;
  std::vector<std::unique_ptr<Station>> stations_;
  std::vector<RandomStream> arrival_streams_;     // one per workload
  std::vector<const RateShape*> arrival_shapes_;  // per workload; null when flat
  RequestCounts requests_;
  std::uint64_t next_request_id_ = 0;
};

}  // namespace misim
