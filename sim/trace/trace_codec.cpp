#include "trace_codec.hpp"

#include <array>
#include <limits>

namespace misim::trace_codec {

namespace {

// Indexed by misim's EntityKind (tenant, subscription, resource group, resource, identity, role
// assignment); the wire puts RESOURCE at 0 (trace.proto says why).
constexpr std::array<pb::EntityKind, kEntityKindCount> kToWire = {
    pb::ENTITY_KIND_TENANT,   pb::ENTITY_KIND_SUBSCRIPTION, pb::ENTITY_KIND_RESOURCE_GROUP,
    pb::ENTITY_KIND_RESOURCE, pb::ENTITY_KIND_IDENTITY,     pb::ENTITY_KIND_ROLE_ASSIGNMENT,
};

// "none" (UINT32_MAX) becomes 0 and index i becomes i + 1, by unsigned wrap-around both ways.
constexpr std::uint32_t entity_to_wire(std::uint32_t index) noexcept { return index + 1U; }
constexpr std::uint32_t entity_from_wire(std::uint32_t stored) noexcept { return stored - 1U; }
static_assert(entity_to_wire(kNoEntity) == 0 && entity_from_wire(0) == kNoEntity);

constexpr std::uint32_t station_to_wire(std::uint16_t station) noexcept {
  return static_cast<std::uint16_t>(station + 1U);
}
static_assert(station_to_wire(kNoStation) == 0 && station_to_wire(0) == 1);

pb::Level to_wire(TraceLevel level) noexcept { return static_cast<pb::Level>(level); }

}  // namespace

pb::EntityKind to_wire(EntityKind kind) noexcept {
  const auto k = static_cast<std::size_t>(kind);
  return k < kToWire.size() ? kToWire[k] : static_cast<pb::EntityKind>(k);
}

EntityKind from_wire(pb::EntityKind kind) noexcept {
  for (std::size_t k = 0; k < kToWire.size(); ++k) {
    if (kToWire[k] == kind) return static_cast<EntityKind>(k);
  }
  return static_cast<EntityKind>(kind);
}

void encode(const TraceEvent& e, pb::Event& out) noexcept {
  out.set_kind(static_cast<pb::Kind>(e.kind));
  out.set_time(e.time);
  out.set_begin(e.begin);
  out.set_service_start(e.service_start);
  out.set_request(e.request);
  out.set_station(station_to_wire(e.station));
  out.set_status(e.status);
  out.set_resource(entity_to_wire(e.resource));
  out.set_identity(entity_to_wire(e.identity));
  out.set_target(entity_to_wire(e.target));
  out.set_count(e.count);
  out.set_busy(e.busy);
  out.set_value(e.value);
  out.set_flags(e.flags);
  out.set_entity(entity_to_wire(e.entity));
  out.set_entity_kind(to_wire(e.entity_kind));
}

bool decode(const pb::Event& in, TraceEvent& out) noexcept {
  constexpr std::uint32_t kByte = std::numeric_limits<std::uint8_t>::max();
  constexpr std::uint32_t kShort = std::numeric_limits<std::uint16_t>::max();
  const auto kind = static_cast<std::uint32_t>(in.kind());
  const auto entity_kind = static_cast<std::uint32_t>(in.entity_kind());
  if (kind > kByte || entity_kind > kByte || in.status() > kShort || in.station() > kShort || in.flags() > kByte) {
    return false;
  }
  out.time = in.time();
  out.begin = in.begin();
  out.service_start = in.service_start();
  out.request = in.request();
  out.value = in.value();
  out.resource = entity_from_wire(in.resource());
  out.identity = entity_from_wire(in.identity());
  out.target = entity_from_wire(in.target());
  out.entity = entity_from_wire(in.entity());
  out.count = in.count();
  out.busy = in.busy();
  out.status = static_cast<std::uint16_t>(in.status());
  out.station = static_cast<std::uint16_t>(in.station() - 1U);
  out.kind = static_cast<EventKind>(kind);
  out.entity_kind = from_wire(in.entity_kind());
  out.flags = static_cast<std::uint8_t>(in.flags());
  return true;
}

void encode(const EntityInfo& entity, pb::Entity& out) {
  out.set_kind(to_wire(entity.kind));
  out.set_index(entity.index);
  out.set_type(entity.type.data(), entity.type.size());
  out.set_name(entity.name.data(), entity.name.size());
  out.set_created(entity.created);
}

bool decode(const pb::Entity& in, TraceEntity& out) {
  if (static_cast<std::uint32_t>(in.kind()) > std::numeric_limits<std::uint8_t>::max()) return false;
  out.kind = from_wire(in.kind());
  out.index = in.index();
  out.type = in.type();
  out.name = in.name();
  out.created = in.created();
  return true;
}

void encode(const TraceHeader& header, pb::Header& out) {
  out.Clear();
  out.set_format(kFormatName);
  out.set_major_version(header.major_version);
  out.set_minor_version(header.minor_version);
  out.set_misim_version(header.misim_version);
  out.set_scenario(header.scenario);
  out.set_scenario_file(header.scenario_file);
  out.set_scenario_hash(header.scenario_hash);
  out.set_seed(header.seed);
  for (const auto& [name, value] : header.params) {
    pb::Param* param = out.add_params();
    param->set_name(name);
    param->set_value(value);
  }
  out.set_level(to_wire(header.level));
  const RunInfo& run = header.run;
  out.set_duration(run.duration);
  out.set_warmup(run.warmup);
  out.set_sample_interval(run.sample_interval);
  for (const StationInfo& s : run.stations) {
    pb::Station* station = out.add_stations();
    station->set_name(s.name);
    station->set_role(s.role);
    station->set_servers(s.servers);
  }
  for (const std::string& op : run.operations) out.add_operations(op);
  for (const std::string& fault : run.faults) out.add_faults(fault);
  for (const std::string& audience : run.audiences) out.add_audiences(audience);
}

bool decode(const pb::Header& in, TraceHeader& out) {
  if (in.level() < pb::LEVEL_NONE || in.level() > pb::LEVEL_ALL) return false;
  out = TraceHeader{};
  out.major_version = in.major_version();
  out.minor_version = in.minor_version();
  out.misim_version = in.misim_version();
  out.scenario = in.scenario();
  out.scenario_file = in.scenario_file();
  out.scenario_hash = in.scenario_hash();
  out.seed = in.seed();
  for (const pb::Param& p : in.params()) out.params.emplace_back(p.name(), p.value());
  out.level = static_cast<TraceLevel>(in.level());
  RunInfo& run = out.run;
  run.seed = in.seed();
  run.duration = in.duration();
  run.warmup = in.warmup();
  run.sample_interval = in.sample_interval();
  for (const pb::Station& s : in.stations()) run.stations.push_back({s.name(), s.role(), s.servers()});
  run.operations.assign(in.operations().begin(), in.operations().end());
  run.faults.assign(in.faults().begin(), in.faults().end());
  run.audiences.assign(in.audiences().begin(), in.audiences().end());
  return true;
}

void encode(const TraceFooter& footer, pb::Footer& out) noexcept {
  out.set_events(footer.events);
  out.set_checksum(footer.checksum);
  out.set_end_time(footer.end_time);
  out.set_interrupted(footer.interrupted);
  out.set_fingerprint(footer.fingerprint);
}

void decode(const pb::Footer& in, TraceFooter& out) noexcept {
  out.events = in.events();
  out.checksum = in.checksum();
  out.end_time = in.end_time();
  out.interrupted = in.interrupted();
  out.fingerprint = in.fingerprint();
}

}  // namespace misim::trace_codec
