// The `topology:` and `timeline:` sections of a scenario (docs/scenarios.md).
#include "topology_reader.hpp"

#include <algorithm>

#include "language.hpp"
#include "suggest.hpp"

namespace misim::scenario {

namespace {

// Guards against a typo asking for an absurd estate; limits of this version, not of Azure.
constexpr std::int64_t kMaxCount = 10'000'000;

class Reader {
 public:
  Reader(const Document& doc, TopologyReading& out) : doc_(doc), out_(out) {}

  void read_topology(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) {
      add_defaults();
      return;
    }
    const MapReader m(doc_, node, "'topology'", keys(Section::kTopology));
    if (m.has("limits")) read_limits(m.get("limits"));
    for_each(m.get("tenants"), "'tenants'", [&](const YAML::Node& n, std::size_t) {
      const std::string name =
          n.IsScalar()
              ? doc_.string(n, "tenant name")
              : doc_.string(MapReader(doc_, n, "tenant", keys(Section::kTenant)).require("name"), "tenant 'name'");
      out_.topology.tenants.push_back(name);
      tenant_places_.push_back(doc_.place(n));
    });
    if (out_.topology.tenants.empty()) {
      out_.topology.tenants.push_back("tenant");
      tenant_places_.push_back(doc_.place(node));
    }
    for_each(m.get("subscriptions"), "'subscriptions'", [&](const YAML::Node& n, std::size_t) {
      const MapReader s(doc_, n, "subscription", keys(Section::kSubscription));
      TopologyConfig::SubscriptionSpec spec{doc_.string(s.require("name"), "subscription 'name'"),
                                            out_.topology.tenants.front()};
      if (s.has("tenant")) spec.tenant = doc_.string(s.get("tenant"), "subscription 'tenant'");
      out_.topology.subscriptions.push_back(spec);
      subscription_places_.push_back(doc_.place(n));
    });
    if (out_.topology.subscriptions.empty()) {
      out_.topology.subscriptions.push_back({"subscription", out_.topology.tenants.front()});
      subscription_places_.push_back(doc_.place(node));
    }
    bool any_group = false;
    for_each(m.get("resource_groups"), "'resource_groups'", [&](const YAML::Node& n, std::size_t) {
      const MapReader g(doc_, n, "resource group", keys(Section::kResourceGroup));
      const std::string sub = g.has("subscription")
                                  ? doc_.string(g.get("subscription"), "resource group 'subscription'")
                                  : out_.topology.subscriptions.front().name;
      const std::string name = doc_.string(g.require("name"), "resource group 'name'");
      if (!any_group) default_group_ = name;
      any_group = true;
      add(DirectoryOperation::create_resource_group(name, sub), n);
    });
    if (!any_group)
      add(DirectoryOperation::create_resource_group(default_group_, out_.topology.subscriptions.front().name), node);
    for_each(m.get("identities"), "'identities'", [&](const YAML::Node& n, std::size_t) { read_identity(n); });
    for_each(m.get("resources"), "'resources'", [&](const YAML::Node& n, std::size_t) { read_resource(n); });
    for_each(m.get("role_assignments"), "'role_assignments'", [&](const YAML::Node& n, std::size_t) {
      const MapReader r(doc_, n, "role assignment", keys(Section::kRoleAssignment));
      const std::string role = doc_.string(r.require("role"), "role assignment 'role'");
      const std::string name = r.has("name") ? doc_.string(r.get("name"), "role assignment 'name'") : std::string();
      const auto principals = expand(r.require("principal"), "role assignment 'principal'");
      const auto scopes = expand(r.require("scope"), "role assignment 'scope'");
      if (!name.empty() && principals.size() * scopes.size() > 1) {
        doc_.fail(r.get("name"), "a named role assignment must have one principal and one scope, not templates");
      }
      for (const std::string& p : principals) {
        for (const std::string& s : scopes) add(DirectoryOperation::assign_role(p, role, s, name), n);
      }
    });
    for_each(m.get("federated_credentials"), "'federated_credentials'", [&](const YAML::Node& n, std::size_t) {
      std::string identity;
      DirectoryOperation op = read_federated_credential(n, identity);
      add(std::move(op), n);
    });
  }

  void read_timeline(const YAML::Node& node, SimTime duration) {
    if (!node.IsDefined() || node.IsNull()) return;
    require_sequence(doc_, node, "'timeline'");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& n = node[i];
      const std::string what = "timeline entry #" + std::to_string(i + 1);
      const MapReader m(doc_, n, what, keys(Section::kTimelineEntry));
      const SimTime at = doc_.duration(m.require("at"), what + " 'at'");
      if (at > duration) {
        doc_.fail(m.get("at"), what + " happens at " + format_duration(at) + ", after the end of the run (" +
                                   format_duration(duration) + ")");
      }
      std::string action;
      for (std::string_view a : timeline_actions()) {
        if (!m.has(a)) continue;
        if (!action.empty())
          doc_.fail(n, what + " has two actions, '" + action + "' and '" + std::string(a) + "'; give one per entry");
        action = a;
      }
      if (action.empty()) doc_.fail(n, what + " needs an action: one of " + quoted_list(timeline_actions()));
      const YAML::Node v = m.get(action);
      if (action == "outage") {
        read_outage(v, what, at, duration);
        continue;
      }
      const std::size_t first = out_.timeline.size();
      read_action(action, v, what);
      for (std::size_t k = first; k < out_.timeline.size(); ++k) out_.timeline[k].at = at;
      timeline_places_.resize(out_.timeline.size(), doc_.place(v));
    }
    // Apply in time order; entries at the same time keep the file's order.
    std::vector<std::size_t> order(out_.timeline.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return out_.timeline[a].at < out_.timeline[b].at; });
    std::vector<TimedOperation> sorted;
    std::vector<SourcePlace> places;
    for (std::size_t k : order) {
      sorted.push_back(out_.timeline[k]);
      places.push_back(timeline_places_[k]);
    }
    out_.timeline = std::move(sorted);
    timeline_places_ = std::move(places);
  }

  /// Replays the topology and then the timeline on a scratch directory: every lifecycle error
  /// (unknown names, attaching twice, limits, ...) is reported where the scenario caused it.
  void check(std::uint64_t seed) {
    TopologyFailure failure;
    Result<Directory> dir = build_directory(out_.topology, seed, &failure);
    if (!dir) {
      const SourcePlace& where = failure.part == TopologyFailure::Part::kTenant ? tenant_places_[failure.index]
                                 : failure.part == TopologyFailure::Part::kSubscription
                                     ? subscription_places_[failure.index]
                                     : places_[failure.index];
      std::string what = failure.part == TopologyFailure::Part::kOperation
                             ? describe(out_.topology.operations[failure.index]) + ": "
                             : std::string();
      doc_.fail(where, what + failure.error.message);
    }
    for (std::size_t k = 0; k < out_.timeline.size(); ++k) {
      const TimedOperation& t = out_.timeline[k];
      if (auto done = apply(*dir, t.operation, t.at); !done) {
        doc_.fail(timeline_places_[k],
                  "at " + format_duration(t.at) + ", " + describe(t.operation) + ": " + done.error().message);
      }
    }
  }

 private:
  template <class F>
  void for_each(const YAML::Node& list, const std::string& what, F&& f) {
    if (!list.IsDefined() || list.IsNull()) return;
    require_sequence(doc_, list, what);
    for (std::size_t i = 0; i < list.size(); ++i) f(list[i], i);
  }

  void add(DirectoryOperation op, const YAML::Node& at) {
    out_.topology.operations.push_back(std::move(op));
    places_.push_back(doc_.place(at));
  }

  /// The names a reference stands for: a template's instances, or the name itself.
  std::vector<std::string> expand(const YAML::Node& node, const std::string& what) {
    const std::string name = doc_.string(node, what);
    if (auto it = out_.templates.find(name); it != out_.templates.end()) return it->second;
    return {name};
  }
  std::vector<std::string> expand_list(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar()) return expand(node, what);
    require_sequence(doc_, node, what);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto names = expand(node[i], what);
      out.insert(out.end(), names.begin(), names.end());
    }
    return out;
  }

  std::vector<std::string> instance_names(const MapReader& m, const std::string& name, const std::string& what) {
    if (!m.has("count")) return {name};
    const std::int64_t count = doc_.integer(m.get("count"), what + " 'count'", 1, kMaxCount);
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) names.push_back(name + "-" + std::to_string(i));
    if (out_.templates.count(name) != 0) doc_.fail(m.node(), "template '" + name + "' is defined twice");
    out_.templates.emplace(name, names);
    return names;
  }

  void read_limits(const YAML::Node& node) {
    const MapReader m(doc_, node, "'limits'", keys(Section::kLimits));
    DirectoryLimits& l = out_.topology.limits;
    constexpr std::int64_t kMax = 4'000'000'000;
    if (m.has("role_assignments_per_subscription")) {
      l.role_assignments_per_subscription =
          static_cast<std::uint32_t>(doc_.integer(m.get("role_assignments_per_subscription"), "limit", 0, kMax));
    }
    if (m.has("federated_credentials_per_identity")) {
      l.federated_credentials_per_identity =
          static_cast<std::uint32_t>(doc_.integer(m.get("federated_credentials_per_identity"), "limit", 0, kMax));
    }
    if (m.has("directory_objects_per_tenant")) {
      l.directory_objects_per_tenant =
          static_cast<std::uint32_t>(doc_.integer(m.get("directory_objects_per_tenant"), "limit", 0, kMax));
    }
  }

  void read_identity(const YAML::Node& n) {
    const MapReader m(doc_, n, "identity", keys(Section::kIdentity));
    const std::string name = doc_.string(m.require("name"), "identity 'name'");
    const std::string kind = m.has("kind") ? doc_.choice(m.get("kind"), "identity 'kind'", words(Choice::kIdentityKind))
                                           : std::string("user_assigned");
    for (const std::string& instance : instance_names(m, name, "identity '" + name + "'")) {
      if (kind == "user_assigned") {
        if (m.has("tenant"))
          doc_.fail(m.get("tenant"), "a user-assigned identity lives in a resource group: use 'group'");
        const std::string group = m.has("group") ? doc_.string(m.get("group"), "identity 'group'") : default_group_;
        add(DirectoryOperation::create_user_assigned(instance, group), n);
      } else {
        if (m.has("group")) doc_.fail(m.get("group"), "a service principal belongs to a tenant: use 'tenant'");
        const std::string tenant =
            m.has("tenant") ? doc_.string(m.get("tenant"), "identity 'tenant'") : out_.topology.tenants.front();
        add(DirectoryOperation::create_service_principal(instance, tenant), n);
      }
    }
  }

  void read_resource(const YAML::Node& n) {
    const MapReader m(doc_, n, "resource", keys(Section::kResource));
    const std::string name = doc_.string(m.require("name"), "resource 'name'");
    const std::string what = "resource '" + name + "'";
    const std::string type = doc_.string(m.require("type"), what + " 'type'");
    if (m.has("group") && m.has("parent")) doc_.fail(n, what + ": give 'group' or 'parent', not both");
    std::vector<std::string> containers;
    if (m.has("parent")) {
      containers = expand(m.get("parent"), what + " 'parent'");
      if (containers.size() != 1) doc_.fail(m.get("parent"), what + " 'parent' must name one resource");
    } else {
      containers = {m.has("group") ? doc_.string(m.get("group"), what + " 'group'") : default_group_};
    }
    const bool system_assigned =
        m.has("system_assigned") && doc_.boolean(m.get("system_assigned"), what + " 'system_assigned'");
    std::vector<std::string> uamis;
    if (m.has("user_assigned")) uamis = expand_list(m.get("user_assigned"), what + " 'user_assigned'");
    for (const std::string& instance : instance_names(m, name, what)) {
      add(DirectoryOperation::create_resource(instance, type, containers.front(), system_assigned), n);
      for (const std::string& identity : uamis)
        add(DirectoryOperation::attach(instance, identity), m.get("user_assigned"));
    }
  }

  DirectoryOperation read_federated_credential(const YAML::Node& n, std::string& identity) {
    const MapReader m(doc_, n, "federated credential", keys(Section::kFederatedCredential));
    identity = doc_.string(m.require("identity"), "federated credential 'identity'");
    FederatedCredentialSpec spec;
    spec.name = doc_.string(m.require("name"), "federated credential 'name'");
    spec.issuer = doc_.string(m.require("issuer"), "federated credential 'issuer'");
    spec.subject = doc_.string(m.require("subject"), "federated credential 'subject'");
    if (m.has("audience")) spec.audience = doc_.string(m.get("audience"), "federated credential 'audience'");
    return DirectoryOperation::add_federated_credential(identity, spec);
  }

  /// `{at: 12h, outage: {service: aad, region: eu, for: 30m}}`: the service answers 503 meanwhile.
  void read_outage(const YAML::Node& v, const std::string& what, SimTime at, SimTime duration) {
    const std::string w = what + " 'outage'";
    const MapReader m(doc_, v, w, keys(Section::kOutage));
    const std::string service = doc_.choice(m.require("service"), w + " 'service'",
                                            words(Choice::kOutageService));  // more with the fault issue
    (void)service;
    FaultConfig f;
    f.kind = FaultConfig::Kind::kAadOutage;
    if (m.has("region")) f.region = doc_.string(m.get("region"), w + " 'region'");
    f.start = at;
    const SimTime length = doc_.duration(m.require("for"), w + " 'for'");
    if (length <= 0) doc_.fail(m.get("for"), w + " 'for' must be longer than 0s");
    f.end = std::min(duration, at + length);
    out_.faults.push_back(f);
  }

  void timed(DirectoryOperation op) { out_.timeline.push_back(TimedOperation{0, std::move(op)}); }

  void read_action(const std::string& action, const YAML::Node& v, const std::string& what) {
    const std::string w = what + " '" + action + "'";
    if (action == "delete" || action == "enable_system_assigned" || action == "disable_system_assigned") {
      for (const std::string& name : expand_list(v, w)) {
        if (action == "delete") timed(DirectoryOperation::remove(name));
        if (action == "enable_system_assigned") timed(DirectoryOperation::enable_system_assigned(name));
        if (action == "disable_system_assigned") timed(DirectoryOperation::disable_system_assigned(name));
      }
    } else if (action == "attach" || action == "detach") {
      const char* side = action == "attach" ? "to" : "from";
      const MapReader m(doc_, v, w, keys(action == "attach" ? Section::kAttach : Section::kDetach));
      const std::string identity = doc_.string(m.require("identity"), w + " 'identity'");
      for (const std::string& r : expand(m.require(side), w + " '" + side + "'")) {
        timed(action == "attach" ? DirectoryOperation::attach(r, identity) : DirectoryOperation::detach(r, identity));
      }
    } else if (action == "assign" || action == "unassign") {
      const MapReader m(doc_, v, w, keys(action == "assign" ? Section::kAssign : Section::kUnassign));
      const std::string role = doc_.string(m.require("role"), w + " 'role'");
      const std::string name = m.has("name") ? doc_.string(m.get("name"), w + " 'name'") : std::string();
      for (const std::string& p : expand(m.require("principal"), w + " 'principal'")) {
        for (const std::string& s : expand(m.require("scope"), w + " 'scope'")) {
          timed(action == "assign" ? DirectoryOperation::assign_role(p, role, s, name)
                                   : DirectoryOperation::unassign_role(p, role, s));
        }
      }
    } else if (action == "create_user_assigned") {
      const MapReader m(doc_, v, w, keys(Section::kCreateUserAssigned));
      const std::string name = doc_.string(m.require("name"), w + " 'name'");
      const std::string group = m.has("group") ? doc_.string(m.get("group"), w + " 'group'") : default_group_;
      for (const std::string& instance : instance_names(m, name, w))
        timed(DirectoryOperation::create_user_assigned(instance, group));
    } else if (action == "create_resource") {
      const MapReader m(doc_, v, w, keys(Section::kCreateResource));
      const std::string name = doc_.string(m.require("name"), w + " 'name'");
      const std::string type = doc_.string(m.require("type"), w + " 'type'");
      const std::string group = m.has("group") ? doc_.string(m.get("group"), w + " 'group'") : default_group_;
      const bool sa = m.has("system_assigned") && doc_.boolean(m.get("system_assigned"), w + " 'system_assigned'");
      std::vector<std::string> uamis;
      if (m.has("user_assigned")) uamis = expand_list(m.get("user_assigned"), w + " 'user_assigned'");
      for (const std::string& instance : instance_names(m, name, w)) {
        timed(DirectoryOperation::create_resource(instance, type, group, sa));
        for (const std::string& identity : uamis) timed(DirectoryOperation::attach(instance, identity));
      }
    } else if (action == "add_federated_credential") {
      std::string identity;
      timed(read_federated_credential(v, identity));
    } else {  // remove_federated_credential
      const MapReader m(doc_, v, w, keys(Section::kRemoveFederatedCredential));
      timed(DirectoryOperation::remove_federated_credential(doc_.string(m.require("identity"), w + " 'identity'"),
                                                            doc_.string(m.require("name"), w + " 'name'")));
    }
  }

  void add_defaults() {
    out_.topology.tenants.push_back("tenant");
    tenant_places_.push_back(SourcePlace{doc_.file(), 0, 0});
    out_.topology.subscriptions.push_back({"subscription", "tenant"});
    subscription_places_.push_back(SourcePlace{doc_.file(), 0, 0});
    out_.topology.operations.push_back(DirectoryOperation::create_resource_group(default_group_, "subscription"));
    places_.push_back(SourcePlace{doc_.file(), 0, 0});
  }

  const Document& doc_;
  TopologyReading& out_;
  std::string default_group_ = "rg";
  std::vector<SourcePlace> tenant_places_;
  std::vector<SourcePlace> subscription_places_;
  std::vector<SourcePlace> places_;  // per topology operation
  std::vector<SourcePlace> timeline_places_;
};

}  // namespace

TopologyReading read_topology_and_timeline(const Document& doc, const YAML::Node& topology, const YAML::Node& timeline,
                                           std::uint64_t seed, SimTime duration) {
  TopologyReading out;
  Reader reader(doc, out);
  reader.read_topology(topology);
  reader.read_timeline(timeline, duration);
  reader.check(seed);
  return out;
}

}  // namespace misim::scenario
