// The token path's keys (docs/scenarios.md, "The token path").
#include "token_path_reader.hpp"

#include <algorithm>
#include <type_traits>

#include "arm_reader.hpp"
#include "distribution_spec.hpp"
#include "language.hpp"
#include "misim/resource_type.hpp"
#include "rate_shape_reader.hpp"
#include "suggest.hpp"

namespace misim::scenario {

namespace {

std::vector<std::string_view> profile_names(const TokenPathConfig& config) {
  std::vector<std::string_view> names = builtin_client_profile_names();
  for (const ClientProfile& p : config.custom_profiles) names.push_back(p.name);
  return names;
}

void read_imds(const Document& doc, const YAML::Node& node, ImdsConfig& c) {
  const MapReader m(doc, node, "service 'imds'", keys(Section::kImds));
  if (m.has("rate_limit")) c.rate_limit_per_second = doc.rate(m.get("rate_limit"), "imds 'rate_limit'").per_second;
  if (m.has("max_concurrent"))
    c.max_concurrent = static_cast<int>(doc.integer(m.get("max_concurrent"), "imds 'max_concurrent'", 1, 100000));
  if (m.has("latency")) c.latency = read_duration_distribution(doc, m.get("latency"), "imds 'latency'");
  if (m.has("cache")) c.caches_tokens = doc.boolean(m.get("cache"), "imds 'cache'");
  if (m.has("cache_margin")) c.cache_margin = doc.duration(m.get("cache_margin"), "imds 'cache_margin'");
}

/// `app_service:` and `arc_himds:`: a host endpoint's limits, latency and cache (host_endpoint_config.hpp).
void read_host_endpoint(const Document& doc, const MapReader& m, const std::string& name, HostEndpointConfig& c) {
  if (m.has("rate_limit")) c.rate_limit_per_second = doc.rate(m.get("rate_limit"), name + " 'rate_limit'").per_second;
  if (m.has("max_concurrent"))
    c.max_concurrent = static_cast<int>(doc.integer(m.get("max_concurrent"), name + " 'max_concurrent'", 0, 100000));
  if (m.has("latency")) c.latency = read_duration_distribution(doc, m.get("latency"), name + " 'latency'");
  if (m.has("cache")) c.caches_tokens = doc.boolean(m.get("cache"), name + " 'cache'");
  if (m.has("cache_margin")) c.cache_margin = doc.duration(m.get("cache_margin"), name + " 'cache_margin'");
}

void read_arc_himds(const Document& doc, const YAML::Node& node, ArcHimdsConfig& c) {
  const MapReader m(doc, node, "service 'arc_himds'", keys(Section::kArcHimds));
  read_host_endpoint(doc, m, "arc_himds", c.endpoint);
  if (m.has("key_read")) c.key_read = read_duration_distribution(doc, m.get("key_read"), "arc_himds 'key_read'");
}

void read_workload_identity(const Document& doc, const YAML::Node& node, WorkloadIdentityConfig& c) {
  const MapReader m(doc, node, "service 'workload_identity'", keys(Section::kWorkloadIdentity));
  if (m.has("service_account_token_lifetime")) {
    // Kubernetes accepts 10 minutes to 24 hours for a projected token (azure-facts.md:65: up to 24 h).
    const YAML::Node n = m.get("service_account_token_lifetime");
    c.service_account_token_lifetime = doc.duration(n, "workload_identity 'service_account_token_lifetime'");
    if (c.service_account_token_lifetime < 10 * kMinute || c.service_account_token_lifetime > 24 * kHour)
      doc.fail(n, "workload_identity 'service_account_token_lifetime' must be between 10m and 24h");
  }
  if (m.has("kubelet_refresh"))
    c.kubelet_refresh = doc.boolean(m.get("kubelet_refresh"), "workload_identity 'kubelet_refresh'");
  if (m.has("latency")) c.latency = read_duration_distribution(doc, m.get("latency"), "workload_identity 'latency'");
  if (m.has("federated_credential_replication")) {
    c.federated_credential_replication = read_duration_distribution(
        doc, m.get("federated_credential_replication"), "workload_identity 'federated_credential_replication'");
  }
}

void read_aad(const Document& doc, const YAML::Node& node, AadConfig& c) {
  const MapReader m(doc, node, "service 'aad'", keys(Section::kAad));
  AadRegionConfig region;
  if (m.has("servers")) region.servers = static_cast<int>(doc.integer(m.get("servers"), "aad 'servers'", 1, 1'000'000));
  if (m.has("queue_capacity")) {
    const YAML::Node cap = m.get("queue_capacity");
    region.queue_capacity = cap.IsScalar() && doc.scalar(cap, "aad 'queue_capacity'") == "unlimited"
                                ? -1
                                : doc.integer(cap, "aad 'queue_capacity' (or 'unlimited')", 0, 1'000'000'000);
  }
  if (m.has("latency")) region.latency = read_duration_distribution(doc, m.get("latency"), "aad 'latency'");
  if (m.has("throttle_rate"))
    region.throttle_rate_per_second = doc.rate(m.get("throttle_rate"), "aad 'throttle_rate'").per_second;
  if (m.has("token_lifetime")) {
    c.token_lifetime = doc.duration(m.get("token_lifetime"), "aad 'token_lifetime'");
    if (c.token_lifetime <= 0) doc.fail(m.get("token_lifetime"), "aad 'token_lifetime' must be longer than 0s");
  }
  if (m.has("retry_after")) c.retry_after = doc.duration(m.get("retry_after"), "aad 'retry_after'");
  c.regions.clear();
  if (m.has("regions")) {
    const YAML::Node regions = m.get("regions");
    require_sequence(doc, regions, "aad 'regions'");
    for (std::size_t i = 0; i < regions.size(); ++i) {
      AadRegionConfig r = region;
      if (regions[i].IsMap()) {
        // `{name: eu, resources: [web, app]}`: the resources located in the region (checked and
        // expanded against the topology by check_region_resources).
        const MapReader rm(doc, regions[i], "aad region", keys(Section::kAadRegion));
        r.name = doc.string(rm.require("name"), "aad region 'name'");
        if (rm.has("resources")) {
          const YAML::Node names = rm.get("resources");
          require_sequence(doc, names, "aad region 'resources'");
          for (std::size_t k = 0; k < names.size(); ++k)
            r.resources.push_back(doc.string(names[k], "aad region resource"));
        }
      } else {
        r.name = doc.string(regions[i], "aad region name");
      }
      for (const AadRegionConfig& other : c.regions) {
        if (other.name == r.name) doc.fail(regions[i], "duplicate AAD region '" + r.name + "'");
      }
      c.regions.push_back(r);
    }
  }
  if (c.regions.empty()) c.regions.push_back(region);
}

void read_mirp(const Document& doc, const YAML::Node& node, MirpConfig& c) {
  const MapReader m(doc, node, "service 'mirp'", keys(Section::kMirp));
  if (m.has("cert_validity")) c.cert_validity = doc.duration(m.get("cert_validity"), "mirp 'cert_validity'");
  if (m.has("cert_roll_after")) c.cert_roll_after = doc.duration(m.get("cert_roll_after"), "mirp 'cert_roll_after'");
  if (m.has("roll_retry_interval")) {
    c.roll_retry_interval = doc.duration(m.get("roll_retry_interval"), "mirp 'roll_retry_interval'");
    if (c.roll_retry_interval <= 0)
      doc.fail(m.get("roll_retry_interval"), "mirp 'roll_retry_interval' must be longer than 0s");
  }
  if (m.has("rolling")) c.rolling = doc.boolean(m.get("rolling"), "mirp 'rolling'");
  if (c.cert_roll_after <= 0 || c.cert_roll_after >= c.cert_validity) {
    doc.fail(node, "mirp: 'cert_roll_after' must be between 0s and 'cert_validity'");
  }
}

void read_propagation(const Document& doc, const YAML::Node& node, PropagationConfig& c) {
  const MapReader m(doc, node, "service 'propagation'", keys(Section::kPropagation));
  if (m.has("rbac_delay"))
    c.rbac_delay = read_duration_distribution(doc, m.get("rbac_delay"), "propagation 'rbac_delay'");
  if (m.has("identity_replication")) {
    c.identity_replication =
        read_duration_distribution(doc, m.get("identity_replication"), "propagation 'identity_replication'");
  }
}

std::vector<std::string> expand(const EstateNames& estate, const std::string& name) {
  if (auto it = estate.templates->find(name); it != estate.templates->end()) return it->second;
  return {name};
}

/// How many names `name` stands for, without copying them.
std::uint64_t expanded_size(const EstateNames& estate, const std::string& name) {
  if (auto it = estate.templates->find(name); it != estate.templates->end()) return it->second.size();
  return 1;
}

/// The names of a hash table, in order, so that suggestions do not depend on its layout.
template <class Table>
std::vector<std::string_view> sorted_names(const Table& table) {
  std::vector<std::string_view> names;
  names.reserve(table.size());
  for (const auto& entry : table) {
    if constexpr (std::is_same_v<std::decay_t<decltype(entry)>, std::string_view>) {
      names.push_back(entry);
    } else {
      names.push_back(entry.first);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The resource's type; a name that is not a resource fails the scenario.
std::string_view require_resource(const Document& doc, const EstateNames& estate, const YAML::Node& at,
                                  const std::string& name, const std::string& what) {
  if (auto it = estate.resources.find(name); it != estate.resources.end()) return it->second;
  std::vector<std::string_view> names = sorted_names(estate.resources);
  for (const auto& [n, instances] : *estate.templates) names.push_back(n);
  doc.fail(at, what + ": no resource named '" + name + "' in the topology" + did_you_mean(name, names));
}

/// `select_by`, `issuer`, `subject`: what the request tells a host endpoint or AAD beyond IMDS's
/// selector (docs/model.md, "Other hosts' token endpoints"). `aks`: a caller is an AKS workload.
void read_host_request(const Document& doc, const MapReader& m, const std::string& what, bool aks,
                       CallWorkloadConfig& w) {
  if (m.has("select_by")) {
    const YAML::Node n = m.get("select_by");
    if (!m.has("identity")) doc.fail(n, what + " 'select_by' says how the request names 'identity'; give 'identity'");
    const auto add = [&](const YAML::Node& word) {
      const std::string s = doc.choice(word, what + " 'select_by'", words(Choice::kIdentitySelector));
      w.select_by.push_back(s == "client_id"   ? SelectorKind::kClientId
                            : s == "mi_res_id" ? SelectorKind::kResourceId
                                               : SelectorKind::kObjectId);  // object_id, principal_id
    };
    if (n.IsSequence()) {
      if (n.size() == 0) doc.fail(n, what + " 'select_by' needs at least one selector");
      for (std::size_t i = 0; i < n.size(); ++i) add(n[i]);
    } else {
      add(n);
    }
  }
  // AKS workload identity: the service-account token's issuer and subject, which a federated
  // credential of the identity must match (azure-facts.md:65).
  if (m.has("issuer")) w.service_account_issuer = doc.string(m.get("issuer"), what + " 'issuer'");
  if (m.has("subject")) w.service_account_subject = doc.string(m.get("subject"), what + " 'subject'");
  for (const char* key : {"issuer", "subject"}) {
    if (aks && !m.has(key)) {
      doc.fail(m.get("from"), what + " 'from' names an aks_workload: give '" + key +
                                  "' of its service-account token (e.g. issuer: https://oidc.example/cluster, "
                                  "subject: system:serviceaccount:NAMESPACE:NAME)");
    }
    if (!aks && m.has(key)) {
      doc.fail(m.get(key), what + " '" + key + "' is the service-account token's, for callers of type aks_workload");
    }
  }
}

}  // namespace

void check_region_resources(const Document& doc, const YAML::Node& services, const EstateNames& estate,
                            AadConfig& aad) {
  YAML::Node regions;
  for (auto it = services.begin(); it != services.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != "aad" || !it->second.IsMap()) continue;
    const YAML::Node aad_node = it->second;
    if (const YAML::Node r = aad_node["regions"]; r.IsDefined()) regions.reset(r);
  }
  if (!regions.IsDefined() || !regions.IsSequence()) return;
  std::map<std::string, std::string, std::less<>> placed;  // resource -> region
  for (std::size_t i = 0; i < regions.size() && i < aad.regions.size(); ++i) {
    if (!regions[i].IsMap() || !regions[i]["resources"].IsSequence()) continue;
    const YAML::Node names = regions[i]["resources"];
    AadRegionConfig& r = aad.regions[i];
    std::vector<std::string> expanded;
    for (std::size_t k = 0; k < names.size(); ++k) {
      const std::string what = "aad region '" + r.name + "' 'resources'";
      for (const std::string& n : expand(estate, doc.string(names[k], what))) {
        require_resource(doc, estate, names[k], n, what);
        if (auto [it, fresh] = placed.emplace(n, r.name); !fresh)
          doc.fail(names[k], what + ": '" + n + "' is already in region '" + it->second + "'");
        expanded.push_back(n);
      }
    }
    r.resources = std::move(expanded);
  }
}

bool is_token_service(std::string_view name) {
  for (const TokenService& s : token_services()) {
    if (s.name == name) return true;
  }
  return false;
}

void read_token_service(const Document& doc, const std::string& name, const YAML::Node& node, TokenPathConfig& config) {
  if (name == "imds") read_imds(doc, node, config.imds);
  if (name == "aad") read_aad(doc, node, config.aad);
  if (name == "mirp") read_mirp(doc, node, config.mirp);
  if (name == "propagation") read_propagation(doc, node, config.propagation);
  if (name == "app_service") {
    const MapReader m(doc, node, "service 'app_service'", keys(Section::kAppService));
    read_host_endpoint(doc, m, "app_service", config.hosts.app_service);
  }
  if (name == "arc_himds") read_arc_himds(doc, node, config.hosts.arc_himds);
  if (name == "workload_identity") read_workload_identity(doc, node, config.hosts.workload_identity);
  if (name == "arm") read_arm(doc, node, config.arm);
}

EstateNames estate_names(const TopologyConfig& topology, const std::vector<TimedOperation>& timeline,
                         const std::map<std::string, std::vector<std::string>, std::less<>>& templates) {
  EstateNames names;
  names.resources.reserve(topology.operations.size());
  const auto note = [&names](const DirectoryOperation& op) {
    if (op.kind == OperationKind::kCreateResource) names.resources[op.subject] = op.detail;
    if (op.kind == OperationKind::kCreateUserAssigned || op.kind == OperationKind::kCreateServicePrincipal) {
      names.identities.insert(op.subject);
    }
  };
  for (const DirectoryOperation& op : topology.operations) note(op);
  // Resources the timeline creates may call and be called too (e.g. a scale-out at 09:00).
  for (const TimedOperation& t : timeline) note(t.operation);
  names.templates = &templates;
  return names;
}

CallWorkloadConfig read_call_workload(const Document& doc, const YAML::Node& node, std::size_t index,
                                      const EstateNames& estate, const TokenPathConfig& config,
                                      ResourceBudget& budget) {
  const std::string what = "workload #" + std::to_string(index + 1);
  const MapReader m(doc, node, what, keys(Section::kCallWorkload));
  CallWorkloadConfig w;
  w.name = m.has("name") ? doc.string(m.get("name"), what + " 'name'") : "calls-" + std::to_string(index);
  const YAML::Node from = m.require("from");
  // Counted before copying: `from: [web, web, ...]` over a template of millions multiplies.
  std::uint64_t callers = 0;
  if (from.IsSequence()) {
    for (std::size_t i = 0; i < from.size(); ++i)
      callers = saturating_add(callers, expanded_size(estate, doc.string(from[i], what + " 'from'")));
  } else {
    callers = expanded_size(estate, doc.string(from, what + " 'from'"));
  }
  budget.add(Cost::kCallingResource, callers, from, what + " 'from'");
  if (from.IsSequence()) {
    for (std::size_t i = 0; i < from.size(); ++i) {
      for (const std::string& n : expand(estate, doc.string(from[i], what + " 'from'"))) w.from.push_back(n);
    }
  } else {
    w.from = expand(estate, doc.string(from, what + " 'from'"));
  }
  // One look-up a caller: whether it is a resource, and whether an AKS workload (below).
  bool aks = false;
  const std::string from_what = what + " 'from'";
  for (const std::string& n : w.from) aks |= require_resource(doc, estate, from, n, from_what) == "aks_workload";
  w.target = doc.string(m.require("target"), what + " 'target'");
  require_resource(doc, estate, m.get("target"), w.target, what + " 'target'");
  static const ResourceTypeRegistry types = ResourceTypeRegistry::with_builtins();
  const std::string type(estate.resources.at(w.target));
  if (auto t = types.find(type); t && !types.info(*t).target) {
    doc.fail(m.get("target"), what + " 'target': '" + w.target + "' is a " + type +
                                  ", not a data-plane target (key_vault, storage_account, sql_database, ...)");
  }
  if (m.has("audience")) w.audience = doc.string(m.get("audience"), what + " 'audience'");
  if (m.has("action")) w.data_action = doc.string(m.get("action"), what + " 'action'");
  if (m.has("identity")) {
    w.identity = doc.string(m.get("identity"), what + " 'identity'");
    // A template of identities: each caller asks for the instance of it that it holds.
    if (auto t = estate.templates->find(w.identity);
        t != estate.templates->end() && !t->second.empty() && estate.identities.count(t->second.front()) != 0) {
      w.identity_per_caller = true;
    } else if (estate.identities.count(w.identity) == 0) {
      const std::vector<std::string_view> names = sorted_names(estate.identities);
      doc.fail(m.get("identity"), what + " 'identity': no user-assigned identity named '" + w.identity + "'" +
                                      did_you_mean(w.identity, names));
    }
  }
  read_host_request(doc, m, what, aks, w);
  if (m.has("client")) w.client = doc.choice(m.get("client"), what + " 'client'", profile_names(config));
  w.rate_per_second = doc.rate(m.require("rate"), what + " 'rate'").per_second;
  if (m.has("arrivals"))
    w.poisson = doc.choice(m.get("arrivals"), what + " 'arrivals'", words(Choice::kArrivalProcess)) == "poisson";
  if (m.has("start")) w.start = doc.duration(m.get("start"), what + " 'start'");
  if (m.has("stop")) w.stop = doc.duration(m.get("stop"), what + " 'stop'");
  if (w.stop <= w.start) doc.fail(node, what + ": 'stop' must come after 'start'");
  read_rate_shape(doc, m, what, w.shape);
  if (m.has("call_at_start")) w.call_at_start = doc.boolean(m.get("call_at_start"), what + " 'call_at_start'");
  if (m.has("start_jitter")) {
    w.start_jitter = doc.duration(m.get("start_jitter"), what + " 'start_jitter'");
    if (!w.call_at_start)
      doc.fail(m.get("start_jitter"), what + " 'start_jitter' delays the call at start; add 'call_at_start: true'");
  }
  return w;
}

std::vector<AccessExpectation> read_access_expectation(const Document& doc, const YAML::Node& node, std::size_t index,
                                                       const EstateNames& estate, ResourceBudget& budget) {
  const std::string what = "expectation #" + std::to_string(index + 1);
  const MapReader m(doc, node, what, keys(Section::kAccessExpectation));
  const std::string pair = doc.string(m.require("access"), what + " 'access'");
  const std::size_t arrow = pair.find("->");
  if (arrow == std::string::npos)
    doc.fail(m.get("access"), what + " 'access' must read 'RESOURCE -> TARGET', e.g. web-0 -> vault");
  const auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(' ');
    const auto e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  const std::string from = trim(pair.substr(0, arrow));
  const std::string target = trim(pair.substr(arrow + 2));
  AccessExpectation e;
  e.place = doc.place(node);
  e.target = target;
  require_resource(doc, estate, m.get("access"), target, what + " 'access'");
  int kinds = 0;
  if (m.has("granted_until")) {
    e.kind = AccessExpectation::Kind::kGrantedUntil;
    e.at = doc.duration(m.get("granted_until"), what + " 'granted_until'");
    e.text = " granted until " + format_duration(e.at);
    ++kinds;
  }
  if (m.has("denied_after")) {
    e.kind = AccessExpectation::Kind::kDeniedAfter;
    e.at = doc.duration(m.get("denied_after"), what + " 'denied_after'");
    e.text = " denied after " + format_duration(e.at);
    if (m.has("within")) {
      e.within = doc.duration(m.get("within"), what + " 'within'");
      e.text += " within " + format_duration(e.within);
    }
    ++kinds;
  }
  if (m.has("granted")) {
    if (doc.choice(m.get("granted"), what + " 'granted'", {"always"}) == "always")
      e.kind = AccessExpectation::Kind::kAlwaysGranted;
    e.text = " always granted";
    ++kinds;
  }
  if (kinds != 1) doc.fail(node, what + " needs exactly one of 'granted_until', 'denied_after' or 'granted: always'");
  if (m.has("within") && e.kind != AccessExpectation::Kind::kDeniedAfter)
    doc.fail(m.get("within"), what + ": 'within' goes with 'denied_after'");
  budget.add(Cost::kOperation, expanded_size(estate, from), m.get("access"), what + " 'access'");
  std::vector<AccessExpectation> out;
  for (const std::string& r : expand(estate, from)) {
    require_resource(doc, estate, m.get("access"), r, what + " 'access'");
    AccessExpectation x = e;
    x.resource = r;
    x.text = r + " -> " + target + e.text;
    out.push_back(x);
  }
  return out;
}

}  // namespace misim::scenario
