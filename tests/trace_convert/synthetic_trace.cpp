#include "synthetic_trace.hpp"

#include <algorithm>

namespace misim::testing {

namespace {
TraceEntity entity(EntityKind kind, std::uint32_t index, std::string type, std::string name) {
  return TraceEntity{kind, index, std::move(type), std::move(name), 0};
}

TraceEvent lifecycle(EventKind kind, SimTime at, std::uint16_t status) {
  TraceEvent e;
  e.kind = kind;
  e.time = e.begin = at;
  e.status = status;
  return e;
}
}  // namespace

SyntheticTrace SyntheticTrace::with_hosts(std::uint32_t hosts, TraceLevel level) {
  SyntheticTrace t;
  TraceHeader& h = t.header;
  h.misim_version = "0.1.0";
  h.scenario = "synthetic";
  h.scenario_file = "synthetic.yaml";
  h.scenario_hash = "00";
  h.seed = 7;
  h.params = {{"vms", std::to_string(hosts)}};
  h.level = level;
  h.run.seed = 7;
  h.run.duration = 60 * kSecond;
  h.run.warmup = kSecond;
  h.run.sample_interval = 10 * kSecond;
  h.run.stations = {
      {"imds", "endpoint", static_cast<int>(hosts) * 5}, {"aad.eastus", "aad", 4}, {"checkout", "stage", 2}};
  h.run.operations = {"delete web-id"};
  h.run.faults = {"AAD outage in eastus from 00:00:10.000 to 00:00:20.000"};
  h.run.audiences = {"https://vault.azure.net"};
  t.entities.push_back(entity(EntityKind::kTenant, 0, "tenant", "contoso"));
  t.entities.push_back(entity(EntityKind::kResource, kVault, "key_vault", "vault"));
  for (std::uint32_t i = 0; i < hosts; ++i) {
    t.entities.push_back(entity(EntityKind::kResource, kFirstHost + i, "virtual_machine", "web-" + std::to_string(i)));
  }
  t.entities.push_back(entity(EntityKind::kIdentity, kWebId, "user-assigned", "web-id"));
  t.entities.push_back(entity(EntityKind::kRoleAssignment, kAssignment, "Key Vault Secrets User", "web-id@vault"));
  t.footer.end_time = h.run.duration;
  t.footer.fingerprint = 0x0123456789abcdefULL;
  return t;
}

SimTime append_request(std::vector<TraceEvent>& out, std::uint64_t id, std::uint32_t host, SimTime begin,
                       const std::vector<AttemptSpec>& attempts, std::uint32_t waiting_calls, bool background) {
  SimTime t = begin;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const AttemptSpec& a = attempts[i];
    TraceEvent at;
    at.kind = EventKind::kAttempt;
    at.request = id;
    at.resource = host;
    at.identity = kWebId;
    at.target = kVault;
    at.begin = t;
    at.count = static_cast<std::uint32_t>(i);
    at.station = kImds;
    at.status = a.status;
    at.flags = background ? kFlagBackground : 0;
    switch (a.path) {
      case AttemptSpec::Path::kEndpointLimit:
        at.time = t;
        break;
      case AttemptSpec::Path::kEndpointCache:
        at.time = t + a.endpoint_latency;
        at.flags |= kFlagCacheHit;
        break;
      case AttemptSpec::Path::kServedByAad: {
        TraceEvent v;
        v.kind = EventKind::kStationVisit;
        v.request = id;
        v.station = kAad;
        v.resource = host;
        v.identity = kWebId;
        v.begin = t + a.endpoint_latency;
        v.service_start = v.begin + a.aad_wait;
        v.time = v.service_start + a.aad_service;
        out.push_back(v);
        at.time = v.time;
        break;
      }
      case AttemptSpec::Path::kRefusedByAad:
        at.time = t + a.endpoint_latency;
        break;
      case AttemptSpec::Path::kRejectedByAad: {
        TraceEvent r;
        r.kind = EventKind::kRejected;
        r.request = id;
        r.station = kAad;
        r.resource = host;
        r.time = r.begin = r.service_start = t + a.endpoint_latency;
        out.push_back(r);
        at.time = r.time;
        break;
      }
    }
    out.push_back(at);
    if (i + 1 < attempts.size()) {
      t = at.time + a.retry_delay;
      continue;
    }
    TraceEvent r = at;
    r.kind = EventKind::kTokenRequest;
    r.begin = begin;
    r.flags = background ? kFlagBackground : 0;
    out.push_back(r);
    if (a.status == 200 && waiting_calls > 0) {
      TraceEvent c;
      c.kind = EventKind::kCall;
      c.time = c.begin = at.time;
      c.resource = host;
      c.target = kVault;
      c.identity = kWebId;
      c.count = waiting_calls;
      out.push_back(c);
    }
    return at.time;
  }
  return begin;
}

SimTime SyntheticTrace::add_request(std::uint64_t id, std::uint32_t host, SimTime begin,
                                    const std::vector<AttemptSpec>& attempts, std::uint32_t waiting_calls,
                                    bool background) {
  return append_request(events, id, host, begin, attempts, waiting_calls, background);
}

void SyntheticTrace::sort() {
  std::stable_sort(events.begin(), events.end(),
                   [](const TraceEvent& a, const TraceEvent& b) { return a.time < b.time; });
  footer.events = events.size();
}

SyntheticTrace SyntheticTrace::standard() {
  using Path = AttemptSpec::Path;
  SyntheticTrace t = with_hosts(2);
  const std::uint32_t web0 = kFirstHost;
  const std::uint32_t web1 = kFirstHost + 1;
  {
    TraceEvent issued = lifecycle(EventKind::kCertificate, 0, 1);
    issued.identity = issued.entity = kWebId;
    issued.entity_kind = EntityKind::kIdentity;
    t.add(issued);
    TraceEvent replicated = lifecycle(EventKind::kIdentityReplicated, kSecond, 1);
    replicated.identity = kWebId;
    replicated.entity_kind = EntityKind::kIdentity;
    t.add(replicated);
  }
  // Before the warm-up: counted in requests, not in AAD's wait and sojourn.
  t.add_request(4, web1, 500 * kMillisecond, {{Path::kServedByAad, 200, 2 * kMillisecond, 3 * kMillisecond}});
  // Two requests of web-0 overlap: the second is turned away by the endpoint, then retried.
  t.add_request(1, web0, 2 * kSecond, {{Path::kServedByAad, 200, 2 * kMillisecond, 0, 40 * kMillisecond}}, 3);
  t.add_request(2, web0, 2 * kSecond + 10 * kMillisecond,
                {{Path::kEndpointLimit, 429, 0, 0, 0, 500 * kMillisecond},
                 {Path::kServedByAad, 200, 2 * kMillisecond, 5 * kMillisecond, 40 * kMillisecond}});
  t.add_request(3, web1, 3 * kSecond, {{Path::kEndpointCache, 200, kMillisecond}});
  // AAD's queue is full, then its certificate check fails: the client gives up with 401.
  t.add_request(5, web1, 5 * kSecond,
                {{Path::kRejectedByAad, 503, 2 * kMillisecond, 0, 0, kSecond},
                 {Path::kServedByAad, 401, 2 * kMillisecond, 0, 30 * kMillisecond}});
  // A call served from the SDK's cache.
  {
    TraceEvent c = lifecycle(EventKind::kCall, 4 * kSecond, 0);
    c.resource = web0;
    c.target = kVault;
    c.identity = kWebId;
    c.count = 1;
    c.flags = kFlagCacheHit;
    t.add(c);
  }
  // A plain stage's customers: one before the warm-up, two after, one turned away.
  const auto customer = [&](std::uint64_t id, SimTime arrive, SimTime wait, SimTime service) {
    TraceEvent v;
    v.kind = EventKind::kStationVisit;
    v.request = id;
    v.station = kCheckout;
    v.begin = arrive;
    v.service_start = arrive + wait;
    v.time = v.service_start + service;
    t.add(v);
  };
  customer(100, 900 * kMillisecond, 0, 200 * kMillisecond);
  customer(101, 6 * kSecond, 0, 100 * kMillisecond);
  customer(102, 6 * kSecond + 10 * kMillisecond, 90 * kMillisecond, 100 * kMillisecond);
  {
    TraceEvent r = lifecycle(EventKind::kRejected, 6 * kSecond + 20 * kMillisecond, 0);
    r.request = 103;
    r.station = kCheckout;
    t.add(r);
  }
  // Lifecycle: an outage, the identity's deletion, RBAC catching up, the pair denied.
  for (const auto& [at, begins] : {std::pair{10 * kSecond, 1}, std::pair{20 * kSecond, 0}}) {
    TraceEvent f = lifecycle(EventKind::kFault, at, static_cast<std::uint16_t>(begins));
    f.count = 0;
    f.station = kAad;
    t.add(f);
  }
  {
    TraceEvent op = lifecycle(EventKind::kOperation, 30 * kSecond, 1);
    op.count = 0;
    op.entity = kWebId;
    op.entity_kind = EntityKind::kIdentity;
    t.add(op);
    TraceEvent hidden = lifecycle(EventKind::kRoleVisibility, 35 * kSecond, 0);
    hidden.entity = kAssignment;
    hidden.entity_kind = EntityKind::kRoleAssignment;
    hidden.identity = kWebId;
    t.add(hidden);
    TraceEvent call = lifecycle(EventKind::kCall, 40 * kSecond, 4);  // no role assignment
    call.resource = web0;
    call.target = kVault;
    call.identity = kWebId;
    call.count = 2;
    t.add(call);
    TraceEvent change = call;
    change.kind = EventKind::kAccessChange;
    change.count = 0;
    t.add(change);
  }
  for (SimTime at : {10 * kSecond, 20 * kSecond}) {
    for (std::uint16_t s : {kImds, kAad, kCheckout}) {
      TraceEvent sample = lifecycle(EventKind::kSample, at, 0);
      sample.station = s;
      sample.count = s;
      sample.busy = 1;
      sample.value = 0.25;
      t.add(sample);
    }
  }
  const auto totals = [&](std::uint16_t station, std::uint64_t arrivals, SimTime completed, SimTime rejected,
                          double utilization) {
    TraceEvent e = lifecycle(EventKind::kStationTotals, 60 * kSecond, 0);
    e.begin = rejected;
    e.station = station;
    e.request = arrivals;
    e.service_start = completed;
    e.value = utilization;
    t.add(e);
  };
  totals(kImds, 7, 6, 1, 0.001);
  totals(kAad, 4, 3, 1, 0.03125);
  totals(kCheckout, 3, 2, 1, 0.5);
  t.sort();
  return t;
}

Status feed(const SyntheticTrace& trace, TraceConsumer& consumer) {
  consumer.on_header(trace.header);
  for (const TraceEntity& e : trace.entities) consumer.on_entity(e);
  for (const TraceEvent& e : trace.events) {
    consumer.on_event(e);
    if (consumer.done()) return {};
  }
  return consumer.on_footer(trace.footer);
}

Status write_trace_file(const SyntheticTrace& trace, const std::string& path) {
  Result<std::unique_ptr<TraceWriter>> writer = TraceWriter::create(path, trace.header);
  if (!writer) return std::move(writer).error();
  TraceWriter& w = **writer;
  w.on_begin(trace.header.run);
  for (const TraceEntity& e : trace.entities) w.on_entity(EntityInfo{e.kind, e.index, e.type, e.name, e.created});
  for (const TraceEvent& e : trace.events) w.on_event(e);
  w.on_end(trace.footer.end_time, trace.footer.interrupted);
  w.set_fingerprint(trace.footer.fingerprint);
  return w.close();
}

namespace {
bool later(const auto& a, const auto& b) {
  return a.event.time != b.event.time ? a.event.time > b.event.time : a.sequence > b.sequence;
}
}  // namespace

void RequestStream::start_request() {
  using Path = AttemptSpec::Path;
  const std::uint64_t id = next_request_++;
  const SimTime begin = static_cast<SimTime>(id) * spacing_;
  const std::uint32_t host = kFirstHost + static_cast<std::uint32_t>(id % hosts_);
  const auto ms = [](std::uint64_t n) { return static_cast<SimTime>(n) * kMillisecond; };
  scratch_.clear();
  append_request(scratch_, id, host, begin,
                 {{Path::kEndpointLimit, 429, 0, 0, 0, ms(100 + id % 7)},
                  {Path::kServedByAad, 200, ms(2), ms(id % 5), ms(20 + id % 11)}},
                 1, false);
  TraceEvent v;  // a plain stage's customer, with an id of its own
  v.kind = EventKind::kStationVisit;
  v.request = (std::uint64_t{1} << 40) + id;
  v.station = kCheckout;
  v.begin = begin;
  v.service_start = begin + ms(id % 4);
  v.time = v.service_start + ms(3);
  scratch_.push_back(v);
  for (const TraceEvent& e : scratch_) {
    heap_.push_back(Entry{e, sequence_++});
    std::push_heap(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return later(a, b); });
  }
}

TraceEvent RequestStream::next() {
  // Every event of a request not yet made is no earlier than its start: make requests until the
  // next one starts after the earliest event pending.
  while (heap_.empty() || static_cast<SimTime>(next_request_) * spacing_ <= heap_.front().event.time) start_request();
  std::pop_heap(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return later(a, b); });
  const TraceEvent e = heap_.back().event;
  heap_.pop_back();
  return e;
}

}  // namespace misim::testing
