#include "trace_tables.hpp"

#include <array>

#include "lifecycle_words.hpp"
#include "misim/fingerprint.hpp"
#include "misim/token_path_results.hpp"
#include "trace_rules.hpp"

namespace misim {

namespace {

constexpr ColumnType kInt = ColumnType::kInteger;
constexpr ColumnType kReal = ColumnType::kReal;
constexpr ColumnType kText = ColumnType::kText;

// clang-format off
constexpr std::array<TableColumn, 2> kRunColumns{{{"key", kText}, {"value", kText}}};
constexpr std::array<TableColumn, 5> kEntityColumns{{
    {"kind", kText}, {"id", kInt}, {"type", kText}, {"name", kText}, {"created_ns", kInt}}};
constexpr std::array<TableColumn, 10> kRequestColumns{{
    {"request", kInt}, {"begin_ns", kInt}, {"time_ns", kInt}, {"latency_ms", kReal}, {"resource", kText},
    {"identity", kText}, {"target", kText}, {"status", kInt}, {"retries", kInt}, {"background", kInt}}};
constexpr std::array<TableColumn, 13> kAttemptColumns{{
    {"request", kInt}, {"attempt", kInt}, {"begin_ns", kInt}, {"time_ns", kInt}, {"latency_ms", kReal},
    {"resource", kText}, {"identity", kText}, {"target", kText}, {"station", kText}, {"status", kInt},
    {"endpoint_cache_hit", kInt}, {"background", kInt}, {"rejected_at_endpoint", kInt}}};
constexpr std::array<TableColumn, 10> kVisitColumns{{
    {"request", kInt}, {"station", kText}, {"resource", kText}, {"begin_ns", kInt}, {"service_start_ns", kInt},
    {"time_ns", kInt}, {"wait_ms", kReal}, {"service_ms", kReal}, {"sojourn_ms", kReal}, {"token_request", kInt}}};
constexpr std::array<TableColumn, 4> kRejectionColumns{{
    {"request", kInt}, {"station", kText}, {"resource", kText}, {"time_ns", kInt}}};
constexpr std::array<TableColumn, 9> kLifecycleColumns{{
    {"time_ns", kInt}, {"kind", kText}, {"state", kText}, {"description", kText}, {"entity_kind", kText},
    {"entity", kText}, {"identity", kText}, {"station", kText}, {"item", kInt}}};
constexpr std::array<TableColumn, 6> kAccessColumns{{
    {"time_ns", kInt}, {"resource", kText}, {"target", kText}, {"identity", kText}, {"outcome", kText},
    {"outcome_code", kInt}}};
constexpr std::array<TableColumn, 8> kCallColumns{{
    {"time_ns", kInt}, {"resource", kText}, {"target", kText}, {"identity", kText}, {"outcome", kText},
    {"outcome_code", kInt}, {"calls", kInt}, {"sdk_cache_hit", kInt}}};
constexpr std::array<TableColumn, 5> kSampleColumns{{
    {"time_ns", kInt}, {"station", kText}, {"waiting", kInt}, {"busy", kInt}, {"utilization", kReal}}};
constexpr std::array<TableColumn, 7> kStationColumns{{
    {"station", kText}, {"role", kText}, {"servers", kInt}, {"arrivals", kInt}, {"completed", kInt},
    {"rejected", kInt}, {"utilization", kReal}}};

// The questions docs/traces.md asks of a trace: a host's requests over time, a request's
// attempts, a station's visits over time, what happened when, a pair's access history.
constexpr std::array<TableIndex, 1> kRequestIndexes{{{"requests_by_resource", "resource, time_ns"}}};
constexpr std::array<TableIndex, 1> kAttemptIndexes{{{"attempts_by_request", "request"}}};
constexpr std::array<TableIndex, 1> kVisitIndexes{{{"station_visits_by_station", "station, time_ns"}}};
constexpr std::array<TableIndex, 1> kLifecycleIndexes{{{"lifecycle_by_time", "time_ns"}}};
constexpr std::array<TableIndex, 1> kAccessIndexes{{{"access_by_pair", "resource, target"}}};

constexpr std::array<TableSchema, kTraceTableCount> kSchemas{{
    {TraceTable::kRun, "run", kRunColumns, {}},
    {TraceTable::kEntities, "entities", kEntityColumns, {}},
    {TraceTable::kRequests, "requests", kRequestColumns, kRequestIndexes},
    {TraceTable::kAttempts, "attempts", kAttemptColumns, kAttemptIndexes},
    {TraceTable::kStationVisits, "station_visits", kVisitColumns, kVisitIndexes},
    {TraceTable::kRejections, "rejections", kRejectionColumns, {}},
    {TraceTable::kLifecycle, "lifecycle", kLifecycleColumns, kLifecycleIndexes},
    {TraceTable::kAccess, "access", kAccessColumns, kAccessIndexes},
    {TraceTable::kCalls, "calls", kCallColumns, {}},
    {TraceTable::kSamples, "samples", kSampleColumns, {}},
    {TraceTable::kStations, "stations", kStationColumns, {}},
}};
// clang-format on

}  // namespace

std::span<const TableSchema> trace_table_schemas() noexcept { return kSchemas; }
const TableSchema& schema_of(TraceTable table) noexcept { return kSchemas[static_cast<std::size_t>(table)]; }

void TraceTables::run_row(std::string_view key, std::string_view value) {
  sink_.begin_row(TraceTable::kRun);
  sink_.text(key);
  sink_.text(value);
  sink_.end_row();
}

void TraceTables::entity(EntityKind kind, std::uint32_t index) {
  if (index == kNoEntity) {
    sink_.null();
    return;
  }
  scratch_.clear();
  names_.append_name(scratch_, kind, index);
  sink_.text(scratch_);
}

void TraceTables::station(std::uint16_t index) {
  if (index < header_.run.stations.size()) {
    sink_.text(header_.run.stations[index].name);
  } else if (index == kNoStation) {
    sink_.null();
  } else {
    sink_.text("station#" + std::to_string(index));
  }
}

void TraceTables::on_header(const TraceHeader& header) {
  header_ = header;
  station_written_.assign(header_.run.stations.size(), false);
  const auto number = [](std::int64_t v) { return std::to_string(v); };
  run_row("format_version", std::to_string(header.major_version) + "." + std::to_string(header.minor_version));
  run_row("misim_version", header.misim_version);
  run_row("scenario", header.scenario);
  run_row("scenario_file", header.scenario_file);
  run_row("scenario_hash", header.scenario_hash);
  run_row("seed", std::to_string(header.seed));
  run_row("trace_level", to_string(header.level));
  run_row("duration_ns", number(header.run.duration));
  run_row("warmup_ns", number(header.run.warmup));
  run_row("sample_interval_ns", number(header.run.sample_interval));
  for (const auto& [name, value] : header.params) run_row("param." + name, value);
}

void TraceTables::on_entity(const TraceEntity& e) {
  names_.add(e);
  sink_.begin_row(TraceTable::kEntities);
  sink_.text(to_string(e.kind));
  sink_.integer(e.index);
  sink_.text(e.type);
  sink_.text(e.name);
  sink_.integer(e.created);
  sink_.end_row();
}

void TraceTables::on_event(const TraceEvent& e) {
  switch (e.kind) {
    case EventKind::kTokenRequest:
      request_row(e);
      break;
    case EventKind::kAttempt:
      attempt_row(e);
      break;
    case EventKind::kStationVisit:
      visit_row(e);
      break;
    case EventKind::kRejected:
      rejection_row(e);
      break;
    case EventKind::kAccessChange:
      access_row(e);
      break;
    case EventKind::kCall:
      call_row(e);
      break;
    case EventKind::kSample:
      sample_row(e);
      break;
    case EventKind::kStationTotals:
      station_row(e.station, &e);
      break;
    case EventKind::kOperation:
    case EventKind::kFault:
    case EventKind::kRoleVisibility:
    case EventKind::kIdentityReplicated:
    case EventKind::kCertificate:
      lifecycle_row(e);
      break;
  }
}

void TraceTables::request_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kRequests);
  sink_.integer(static_cast<std::int64_t>(e.request));
  sink_.integer(e.begin);
  sink_.integer(e.time);
  millis(e.time - e.begin);
  entity(EntityKind::kResource, e.resource);
  entity(EntityKind::kIdentity, e.identity);
  entity(EntityKind::kResource, e.target);
  sink_.integer(e.status);
  sink_.integer(e.count);
  sink_.integer((e.flags & kFlagBackground) != 0 ? 1 : 0);
  sink_.end_row();
}

void TraceTables::attempt_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kAttempts);
  sink_.integer(static_cast<std::int64_t>(e.request));
  sink_.integer(static_cast<std::int64_t>(e.count) + 1);  // count: the retries before this attempt
  sink_.integer(e.begin);
  sink_.integer(e.time);
  millis(e.time - e.begin);
  entity(EntityKind::kResource, e.resource);
  entity(EntityKind::kIdentity, e.identity);
  entity(EntityKind::kResource, e.target);
  station(e.station);
  sink_.integer(e.status);
  sink_.integer((e.flags & kFlagCacheHit) != 0 ? 1 : 0);
  sink_.integer((e.flags & kFlagBackground) != 0 ? 1 : 0);
  sink_.integer(rejected_at_endpoint(e) ? 1 : 0);
  sink_.end_row();
}

void TraceTables::visit_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kStationVisits);
  sink_.integer(static_cast<std::int64_t>(e.request));
  station(e.station);
  entity(EntityKind::kResource, e.resource);
  sink_.integer(e.begin);
  sink_.integer(e.service_start);
  sink_.integer(e.time);
  millis(e.service_start - e.begin);
  millis(e.time - e.service_start);
  millis(e.time - e.begin);
  sink_.integer(of_token_request(e) ? 1 : 0);
  sink_.end_row();
}

void TraceTables::rejection_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kRejections);
  sink_.integer(static_cast<std::int64_t>(e.request));
  station(e.station);
  entity(EntityKind::kResource, e.resource);
  sink_.integer(e.time);
  sink_.end_row();
}

void TraceTables::lifecycle_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kLifecycle);
  sink_.integer(e.time);
  sink_.text(to_string(e.kind));
  sink_.text(lifecycle_state(e));
  scratch_.clear();
  describe_lifecycle(scratch_, e, header_.run, names_);
  sink_.text(scratch_);
  if (e.entity == kNoEntity) {
    sink_.null();
  } else {
    sink_.text(to_string(e.entity_kind));
  }
  entity(e.entity_kind, e.entity);
  entity(EntityKind::kIdentity, e.identity);
  station(e.station);
  if (e.kind == EventKind::kOperation || e.kind == EventKind::kFault) {
    sink_.integer(e.count);  // the index in RunInfo::operations or RunInfo::faults
  } else {
    sink_.null();
  }
  sink_.end_row();
}

void TraceTables::access_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kAccess);
  sink_.integer(e.time);
  entity(EntityKind::kResource, e.resource);
  entity(EntityKind::kResource, e.target);
  entity(EntityKind::kIdentity, e.identity);
  sink_.text(to_string(static_cast<AccessOutcome>(e.status)));
  sink_.integer(e.status);
  sink_.end_row();
}

void TraceTables::call_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kCalls);
  sink_.integer(e.time);
  entity(EntityKind::kResource, e.resource);
  entity(EntityKind::kResource, e.target);
  entity(EntityKind::kIdentity, e.identity);
  sink_.text(to_string(static_cast<AccessOutcome>(e.status)));
  sink_.integer(e.status);
  sink_.integer(e.count);
  sink_.integer((e.flags & kFlagCacheHit) != 0 ? 1 : 0);
  sink_.end_row();
}

void TraceTables::sample_row(const TraceEvent& e) {
  sink_.begin_row(TraceTable::kSamples);
  sink_.integer(e.time);
  station(e.station);
  sink_.integer(e.count);
  sink_.integer(e.busy);
  sink_.real(e.value);
  sink_.end_row();
}

void TraceTables::station_row(std::uint16_t index, const TraceEvent* totals) {
  sink_.begin_row(TraceTable::kStations);
  station(index);
  if (index < header_.run.stations.size()) {
    sink_.text(header_.run.stations[index].role);
    sink_.integer(header_.run.stations[index].servers);
    station_written_[index] = true;
  } else {
    sink_.null();
    sink_.null();
  }
  if (totals != nullptr) {
    // kStationTotals carries its counts in request, service_start and begin (trace_event.hpp).
    sink_.integer(static_cast<std::int64_t>(totals->request));
    sink_.integer(totals->service_start);
    sink_.integer(totals->begin);
    sink_.real(totals->value);
  } else {
    for (int i = 0; i < 4; ++i) sink_.null();
  }
  sink_.end_row();
}

void TraceTables::on_footer(const TraceFooter& footer) {
  for (std::size_t s = 0; s < station_written_.size(); ++s) {
    if (!station_written_[s]) station_row(static_cast<std::uint16_t>(s), nullptr);
  }
  run_row("events", std::to_string(footer.events));
  run_row("end_time_ns", std::to_string(footer.end_time));
  run_row("interrupted", footer.interrupted ? "true" : "false");
  run_row("fingerprint", to_hex64(footer.fingerprint));
}

}  // namespace misim
