// report.html: what a run looked like over time, in one self-contained HTML page (issue 6, part 5).
//
// A ReportCollector is an EventSink attached at TraceLevel::kAll. It folds the run's events into
// fixed time buckets as they arrive (latency histograms per stage, answers by status, station
// samples, access changes, lifecycle markers), so its memory depends on the number of buckets,
// stations and access pairs, never on the number of events, and an application call costs a
// bucket lookup and an increment. render_report_html turns it, with the scenario, summary.json
// and the estate, into a page with inline CSS and SVG: no script, font or request leaves the file.
// docs/report.md explains every chart.
//
//   ReportCollector collector;
//   simulation.attach(collector, TraceLevel::kAll);
//   simulation.run();
//   simulation.finish(false);                         // on_end: the collector closes its series
//   Summary summary(scenario, simulation, info);
//   ReportInput input = report_input(scenario, collector, summary.json_text(), &simulation.directory());
//   output.write("report.html", render_report_html(input));
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "misim/dense_index.hpp"
#include "misim/histogram.hpp"
#include "misim/time.hpp"
#include "misim/trace_event.hpp"

namespace misim {

class Directory;
struct Scenario;

/// How finely and how much the collector keeps.
struct ReportCollectorOptions {
  /// Time buckets across RunInfo::duration, at most: 300 columns of a 1,200-pixel chart, 4 pixels
  /// each. Their width is rounded up to a clock step (3 min, not 2 min 48 s), so there may be fewer.
  std::size_t buckets = 300;
  /// (resource, target) pairs drawn one bar each: those denied first, then the first granted ones.
  std::size_t detailed_pairs = 50;
  /// Outcome changes kept per detailed pair; a pair that flaps more is drawn up to here.
  std::size_t segments_per_pair = 256;
  /// Names kept per entity kind (by index); beyond it the Directory, if given, names them.
  std::size_t named_entities = 65536;
  /// Lifecycle markers (operations, fault windows) kept with their text.
  std::size_t markers = 400;
};

/// What application calls and endpoint answers came to, per bucket.
enum class RequestOutcome : std::uint8_t {
  k200,          // token from the service (AAD behind the endpoint), or a plain stage served
  k200Cached,    // the token endpoint answered from its cache (kAttempt, kFlagCacheHit)
  k400,          // bad request: unknown identity, ambiguous selection
  k401,          // unauthorised (a host's challenge)
  k404,          // identity not (yet) known to the endpoint
  k410,          // the endpoint is updating
  k429,          // throttled: rate or concurrency limit
  k5xx,          // the service failed (an outage), or a full plain stage (503)
  kOtherStatus,  // anything else
  kCallCached,   // an application call granted with a token from the SDK's cache
  kCallGranted,  // an application call granted with a newly acquired token
  kCallDenied,   // an application call denied (any AccessOutcome but granted)
};
inline constexpr std::size_t kOutcomeCount = 12;
inline constexpr std::size_t kEndpointOutcomes = 9;  // k200 .. kOtherStatus: answers; the rest are calls
[[nodiscard]] std::string_view to_string(RequestOutcome outcome) noexcept;

/// Latency percentiles over time of one stage: a histogram (ns) per bucket.
struct LatencySeries {
  std::string name;  // "token acquisition", "imds", "aad.eastus", a plain stage
  std::string role;  // "acquisition", "endpoint", "aad", "stage"
  std::vector<Histogram> buckets;
};

/// A station's samples folded into buckets (kSample every RunInfo::sample_interval).
struct StationSeries {
  struct Bucket {
    std::uint32_t samples = 0;
    std::uint32_t max_waiting = 0;
    double waiting = 0.0;      // sum over samples
    double busy = 0.0;         // sum over samples
    double utilisation = 0.0;  // sum over samples of the fraction busy
  };
  std::vector<Bucket> buckets;
  // From kStationTotals at the end of the run.
  bool has_totals = false;
  std::uint64_t arrivals = 0;
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;
  double utilisation = 0.0;
};

/// One stretch of time a detailed pair spent with one outcome (AccessOutcome; 0 granted).
struct AccessSegment {
  SimTime begin = 0;
  SimTime end = 0;
  std::uint8_t outcome = 0;
};

/// A (resource, target) pair as the report knows it.
struct AccessPairTrack {
  std::uint32_t resource = kNoEntity;
  std::uint32_t target = kNoEntity;
  SimTime first_seen = 0;
  SimTime state_since = 0;
  SimTime first_denied = kForever;
  std::uint8_t state = 0;         // the current AccessOutcome
  std::uint8_t first_denial = 0;  // the AccessOutcome of the first denial
  std::uint32_t changes = 0;
  std::uint32_t detail = UINT32_MAX;  // index into detailed pairs, when drawn in detail
  bool truncated = false;             // flapped past segments_per_pair: see access_bits
};

/// A lifecycle operation or a fault window, drawn on every time chart.
struct LifecycleMarker {
  enum class Kind : std::uint8_t { kOperation, kFault } kind = Kind::kOperation;
  SimTime begin = 0;
  SimTime end = 0;          // faults: when the window closed (the run's end while still open)
  std::uint32_t index = 0;  // into RunInfo::operations or RunInfo::faults
  bool applied = true;      // operations: false when the directory refused it
  std::uint16_t station = kNoStation;
};

class ReportCollector final : public EventSink {
 public:
  explicit ReportCollector(ReportCollectorOptions options = {});
  // It keeps a pointer into its own map of entity types: not copied, not moved.
  ReportCollector(const ReportCollector&) = delete;
  ReportCollector& operator=(const ReportCollector&) = delete;

  void on_begin(const RunInfo& run) override;
  void on_entity(const EntityInfo& entity) override;
  void on_event(const TraceEvent& event) override;
  void on_end(SimTime now, bool interrupted) override;

  [[nodiscard]] const ReportCollectorOptions& options() const noexcept { return options_; }

  // --- what was collected (valid after on_end; during the run, up to the last event) ---
  [[nodiscard]] const RunInfo& run() const noexcept { return run_; }
  [[nodiscard]] std::size_t bucket_count() const noexcept { return bucket_count_; }
  [[nodiscard]] SimTime bucket_width() const noexcept { return bucket_width_; }
  /// The bucket an instant falls in (instants past the end fall in the last one).
  [[nodiscard]] std::size_t bucket_of(SimTime t) const noexcept;
  [[nodiscard]] SimTime end_time() const noexcept { return end_time_; }
  [[nodiscard]] bool ended() const noexcept { return ended_; }
  [[nodiscard]] bool interrupted() const noexcept { return interrupted_; }
  [[nodiscard]] std::uint64_t events() const noexcept { return events_; }

  /// Latency series: [0] token acquisition, then one per station that had latency events.
  [[nodiscard]] const std::vector<LatencySeries>& latency() const noexcept { return latency_; }
  /// The series of a station, or nullptr when it saw no latency event.
  [[nodiscard]] const LatencySeries* station_latency(std::uint16_t station) const noexcept;
  [[nodiscard]] const LatencySeries& acquisition_latency() const noexcept { return latency_.front(); }
  /// Counts per bucket, by RequestOutcome.
  [[nodiscard]] const std::vector<std::array<std::uint64_t, kOutcomeCount>>& outcomes() const noexcept {
    return outcomes_;
  }
  [[nodiscard]] std::uint64_t outcome_total(RequestOutcome outcome) const noexcept;
  /// Indexed like RunInfo::stations.
  [[nodiscard]] const std::vector<StationSeries>& stations() const noexcept { return stations_; }

  [[nodiscard]] const std::vector<AccessPairTrack>& access_pairs() const noexcept { return pairs_; }
  /// The outcome changes of the detailed pairs, by AccessPairTrack::detail; closed at on_end.
  [[nodiscard]] const std::vector<std::vector<AccessSegment>>& access_segments() const noexcept { return segments_; }
  /// The detailed pairs' outcomes per bucket, complete however often they flapped: bit 1 << o is
  /// set when the pair was in AccessOutcome o at some time in the bucket.
  [[nodiscard]] const std::vector<std::vector<std::uint8_t>>& access_bits() const noexcept { return bits_; }
  /// Pairs granted and denied at the end of each bucket, and the most denied at once within it.
  [[nodiscard]] const std::vector<std::uint32_t>& pairs_granted() const noexcept { return pairs_granted_; }
  [[nodiscard]] const std::vector<std::uint32_t>& pairs_denied() const noexcept { return pairs_denied_; }
  [[nodiscard]] const std::vector<std::uint32_t>& pairs_denied_peak() const noexcept { return pairs_denied_peak_; }
  [[nodiscard]] std::uint64_t pairs_with_denials() const noexcept { return pairs_with_denials_; }

  [[nodiscard]] const std::vector<LifecycleMarker>& markers() const noexcept { return markers_; }
  /// Markers beyond ReportCollectorOptions::markers, counted but not kept.
  [[nodiscard]] std::uint64_t markers_dropped() const noexcept { return markers_dropped_; }
  /// Role visibility changes, certificate events and identity replications, per bucket.
  [[nodiscard]] const std::vector<std::uint32_t>& propagation_events() const noexcept { return propagation_; }

  /// An entity's name as announced; empty when it was not kept (or never announced).
  [[nodiscard]] std::string_view entity_name(EntityKind kind, std::uint32_t index) const noexcept;
  /// How many entities of each (kind, type) were announced.
  [[nodiscard]] const std::map<std::pair<EntityKind, std::string>, std::uint64_t>& entity_types() const noexcept {
    return entity_types_;
  }

 private:
  void on_access_change(const TraceEvent& event);
  void on_marker(const TraceEvent& event);
  void record_latency(std::uint16_t station, std::size_t bucket, SimTime latency);
  std::size_t bucket_for(SimTime t) noexcept {
    // Events come in time order: most fall in the bucket of the one before, so a compare usually
    // replaces the division.
    if (t >= current_begin_ && t < current_end_) return current_;
    return move_to_bucket(t);
  }
  std::size_t move_to_bucket(SimTime t) noexcept;
  void count_pair_state(std::size_t bucket, std::uint8_t from, std::uint8_t to, bool first);
  /// Records that detailed pair `detail` had `outcome` over [from, to).
  void mark_outcome(std::uint32_t detail, SimTime from, SimTime to, std::uint8_t outcome);

  ReportCollectorOptions options_;
  RunInfo run_;
  std::size_t bucket_count_ = 0;
  SimTime bucket_width_ = 1;
  std::size_t current_ = 0;
  SimTime current_begin_ = 0;
  SimTime current_end_ = 0;
  SimTime end_time_ = 0;
  bool ended_ = false;
  bool interrupted_ = false;
  std::uint64_t events_ = 0;

  std::vector<LatencySeries> latency_;
  std::vector<std::uint16_t> station_series_;  // by station: index into latency_, 0 = none yet
  std::vector<std::uint8_t> station_role_;     // by station: StationRole
  std::vector<std::array<std::uint64_t, kOutcomeCount>> outcomes_;
  std::vector<StationSeries> stations_;

  std::vector<AccessPairTrack> pairs_;
  DenseIndex pair_index_;  // (resource << 32 | target) -> pairs_
  std::vector<std::vector<AccessSegment>> segments_;
  std::vector<std::vector<std::uint8_t>> bits_;
  std::vector<std::int64_t> granted_delta_;  // change of the granted count within each bucket
  std::vector<std::int64_t> denied_delta_;
  std::vector<std::uint32_t> pairs_granted_;
  std::vector<std::uint32_t> pairs_denied_;
  std::vector<std::uint32_t> pairs_denied_peak_;
  std::uint32_t granted_now_ = 0;
  std::uint32_t denied_now_ = 0;
  std::uint64_t pairs_with_denials_ = 0;

  std::vector<LifecycleMarker> markers_;
  std::vector<std::uint32_t> open_faults_;  // by fault index: marker + 1 of the open window, 0 none
  std::uint64_t markers_dropped_ = 0;
  std::vector<std::uint32_t> propagation_;

  // Names in one arena, so a million entities cost offsets, not a million strings.
  std::string name_arena_;
  std::array<std::vector<std::pair<std::uint32_t, std::uint32_t>>, kEntityKindCount> names_;
  std::map<std::pair<EntityKind, std::string>, std::uint64_t> entity_types_;
  std::uint64_t* last_type_count_ = nullptr;
  std::pair<EntityKind, std::string> last_type_;
};

/// Everything the page shows besides the collector's series.
struct ReportInput {
  const ReportCollector* collector = nullptr;  // required
  std::string scenario_name;
  std::string description;
  std::string scenario_file;
  std::uint64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> params;  // name, value as text
  /// summary.json's text (sim/report/summary.cpp): the headline figures and the expectations.
  std::string summary_json;
  /// The estate at the end of the run, for the identity graph and names; may be null.
  const Directory* directory = nullptr;
};

/// The input for a scenario's run: its name, description, file, seed and params.
[[nodiscard]] ReportInput report_input(const Scenario& scenario, const ReportCollector& collector,
                                       std::string summary_json, const Directory* directory);

/// The whole page: one HTML document with inline CSS and SVG, no script and no external reference.
[[nodiscard]] std::string render_report_html(const ReportInput& input);

}  // namespace misim
