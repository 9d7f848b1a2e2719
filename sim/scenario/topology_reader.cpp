// The `topology:` and `timeline:` sections of a scenario (docs/scenarios.md).
#include "topology_reader.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "language.hpp"
#include "misim/huge_pages.hpp"
#include "misim/resource_type.hpp"
#include "misim/role_definition.hpp"
#include "suggest.hpp"

namespace misim::scenario {

namespace {

// Guards against a typo asking for an absurd estate; limits of this version, not of Azure.
constexpr std::int64_t kMaxCount = 10'000'000;

/// The names a reference stands for: a template's instances (without copying them), or one name.
class NameList {
 public:
  explicit NameList(const std::vector<std::string>* instances) : instances_(instances) {}
  explicit NameList(std::string one) : one_(std::move(one)) {}
  [[nodiscard]] std::size_t size() const noexcept { return instances_ != nullptr ? instances_->size() : 1; }
  [[nodiscard]] const std::string& operator[](std::size_t i) const {
    return instances_ != nullptr ? (*instances_)[i] : one_;
  }
  [[nodiscard]] bool is_template() const noexcept { return instances_ != nullptr; }

 private:
  const std::vector<std::string>* instances_ = nullptr;
  std::string one_;
};

/// One entry of a resource's `user_assigned:` list: a name or template every instance holds, or
/// `{spread: T}`, T's instances shared out in consecutive blocks (instance i holds T's i*n/N).
struct UserAssigned {
  NameList names;
  bool spread = false;
  YAML::Node node;
};

class Reader {
 public:
  Reader(const Document& doc, TopologyReading& out, ResourceBudget& budget) : doc_(doc), out_(out), budget_(budget) {}

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
      out_.tenant_places.push_back(doc_.place(n));
    });
    if (out_.topology.tenants.empty()) {
      out_.topology.tenants.push_back("tenant");
      out_.tenant_places.push_back(doc_.place(node));
    }
    for_each(m.get("subscriptions"), "'subscriptions'", [&](const YAML::Node& n, std::size_t) {
      const MapReader s(doc_, n, "subscription", keys(Section::kSubscription));
      TopologyConfig::SubscriptionSpec spec{doc_.string(s.require("name"), "subscription 'name'"),
                                            out_.topology.tenants.front()};
      if (s.has("tenant")) spec.tenant = doc_.string(s.get("tenant"), "subscription 'tenant'");
      out_.topology.subscriptions.push_back(spec);
      out_.subscription_places.push_back(doc_.place(n));
    });
    if (out_.topology.subscriptions.empty()) {
      out_.topology.subscriptions.push_back({"subscription", out_.topology.tenants.front()});
      out_.subscription_places.push_back(doc_.place(node));
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
      const std::string role = known_role(r.require("role"), "role assignment 'role'");
      const std::string name = r.has("name") ? doc_.string(r.get("name"), "role assignment 'name'") : std::string();
      const NameList principals = expand(r.require("principal"), "role assignment 'principal'");
      const NameList scopes = expand(r.require("scope"), "role assignment 'scope'");
      if (!name.empty() && principals.size() * scopes.size() > 1) {
        doc_.fail(r.get("name"), "a named role assignment must have one principal and one scope, not templates");
      }
      budget_.add(Cost::kRoleAssignment, saturating_mul(principals.size(), scopes.size()), n,
                  "role assignment of every principal x every scope");
      reserve_operations(saturating_mul(principals.size(), scopes.size()));
      for (std::size_t i = 0; i < principals.size(); ++i) {
        for (std::size_t k = 0; k < scopes.size(); ++k)
          add(DirectoryOperation::assign_role(principals[i], role, scopes[k], name), n);
      }
    });
    for_each(m.get("federated_credentials"), "'federated_credentials'", [&](const YAML::Node& n, std::size_t) {
      budget_.add(Cost::kOperation, 1, n, "federated credential");
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
      if (action == "outage" || action == "degrade" || action == "update" || action == "cert_roll_failure") {
        read_fault(action, v, what, at, duration);
        continue;
      }
      const std::size_t first = out_.timeline.size();
      read_action(action, v, what);
      for (std::size_t k = first; k < out_.timeline.size(); ++k) out_.timeline[k].at = at;
      out_.timeline_places.resize(out_.timeline.size(), place_index(v));
    }
    check_fault_names();
    // Apply in time order; entries at the same time keep the file's order.
    std::vector<std::size_t> order(out_.timeline.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return out_.timeline[a].at < out_.timeline[b].at; });
    std::vector<TimedOperation> sorted;
    std::vector<std::uint32_t> places;
    sorted.reserve(order.size());
    places.reserve(order.size());
    for (std::size_t k : order) {
      sorted.push_back(std::move(out_.timeline[k]));
      places.push_back(out_.timeline_places[k]);
    }
    out_.timeline = std::move(sorted);
    out_.timeline_places = std::move(places);
  }

 private:
  template <class F>
  void for_each(const YAML::Node& list, const std::string& what, F&& f) {
    if (!list.IsDefined() || list.IsNull()) return;
    require_sequence(doc_, list, what);
    for (std::size_t i = 0; i < list.size(); ++i) f(list[i], i);
  }

  /// Room for `more` operations of a template, grown at least by doubling (the budget has
  /// already bounded the count).
  void reserve_operations(std::uint64_t more) {
    std::vector<DirectoryOperation>& ops = out_.topology.operations;
    const std::size_t needed = ops.size() + static_cast<std::size_t>(more);
    if (needed <= ops.capacity()) return;
    prefault_.reset();  // waits: the old array is about to go
    ops.reserve(std::max(needed, 2 * ops.capacity()));
    out_.operation_places.reserve(ops.capacity());
    // A fleet's 2.75M operations are 440 MB that the kernel zeroes at first touch: on the other
    // core, while this one reads them. Only those about to be read: the headroom may stay unused.
    prefault_ = std::make_unique<BackgroundPrefault>(std::vector<std::pair<const void*, std::size_t>>{
        {ops.data() + ops.size(), (needed - ops.size()) * sizeof(DirectoryOperation)}});
  }

  void add(DirectoryOperation op, const YAML::Node& at) { add(std::move(op), place_index(at)); }
  void add(DirectoryOperation op, std::uint32_t place) {
    out_.topology.operations.push_back(std::move(op));
    out_.operation_places.push_back(place);
  }

  /// The index of `at`'s place in out_.places; consecutive operations of one template share it.
  std::uint32_t place_index(const YAML::Node& at) {
    if (!out_.places.empty() && at.IsDefined() && last_place_node_.IsDefined() && at.is(last_place_node_))
      return static_cast<std::uint32_t>(out_.places.size() - 1);
    last_place_node_.reset(at);  // rebinds; operator= would overwrite the node it refers to
    out_.places.push_back(doc_.place(at));
    return static_cast<std::uint32_t>(out_.places.size() - 1);
  }

  /// A built-in role's name, checked here so that a misspelt one gets a suggestion; the directory
  /// would refuse it too, but only after the estate is built, and without one.
  std::string known_role(const YAML::Node& node, const std::string& what) {
    std::string role = doc_.string(node, what);
    static const RoleCatalog catalog = RoleCatalog::with_builtins();
    if (catalog.find(role)) return role;
    std::vector<std::string_view> names;
    for (std::uint32_t i = 0; i < catalog.size(); ++i) names.push_back(catalog.role(RoleDefinitionId(i)).name);
    doc_.fail(node, what + ": unknown role '" + role + "'" + did_you_mean(role, names) + "; the roles are " +
                        quoted_list(names));
  }

  /// A resource type's name, with a suggestion for a near miss.
  std::string known_type(const YAML::Node& node, const std::string& what) {
    std::string type = doc_.string(node, what);
    static const ResourceTypeRegistry types = ResourceTypeRegistry::with_builtins();
    if (types.find(type)) return type;
    std::vector<std::string_view> names;
    for (std::uint32_t i = 0; i < types.size(); ++i) names.push_back(types.info(ResourceTypeId(i)).name);
    doc_.fail(node, what + ": unknown resource type '" + type + "'" + did_you_mean(type, names) + "; the types are " +
                        quoted_list(names));
  }

  /// The names a reference stands for: a template's instances, or the name itself.
  NameList expand(const YAML::Node& node, const std::string& what) {
    std::string name = doc_.string(node, what);
    if (auto it = out_.templates.find(name); it != out_.templates.end()) return NameList(&it->second);
    return NameList(std::move(name));
  }
  /// A name or a list of names, each expanded; their total is checked before anything is copied.
  std::vector<NameList> expand_list(const YAML::Node& node, const std::string& what, std::uint64_t& total) {
    std::vector<NameList> out;
    if (node.IsScalar()) {
      out.push_back(expand(node, what));
    } else {
      require_sequence(doc_, node, what);
      for (std::size_t i = 0; i < node.size(); ++i) out.push_back(expand(node[i], what));
    }
    total = 0;
    for (const NameList& names : out) total = saturating_add(total, names.size());
    return out;
  }

  /// The number of instances `count:` asks for (1 without it), read and counted in the budget
  /// BEFORE any instance exists.
  std::uint64_t instance_count(const MapReader& m, const std::string& what, Cost cost) {
    const std::uint64_t count =
        m.has("count") ? static_cast<std::uint64_t>(doc_.integer(m.get("count"), what + " 'count'", 1, kMaxCount)) : 1;
    budget_.add(cost, count, m.has("count") ? m.get("count") : m.node(), what);
    return count;
  }

  /// The instances' names (`web-0` ... `web-99` for `count: 100`), or the name itself.
  NameList instance_names(const MapReader& m, const std::string& name, std::uint64_t count) {
    if (!m.has("count")) return NameList(name);
    if (out_.templates.count(name) != 0) doc_.fail(m.node(), "template '" + name + "' is defined twice");
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) names.push_back(name + "-" + std::to_string(i));
    return NameList(&out_.templates.emplace(name, std::move(names)).first->second);
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
    const std::uint64_t count = instance_count(m, "identity '" + name + "'", Cost::kIdentity);
    const NameList instances = instance_names(m, name, count);
    reserve_operations(count);
    for (std::size_t i = 0; i < instances.size(); ++i) {
      const std::string& instance = instances[i];
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

  /// A resource's (or a template's) identities and instance count, checked and charged to the
  /// budget in this order: system_assigned, user_assigned, count, spreads. Shared by `topology:`
  /// resources and the timeline's `create_resource`.
  struct ResourceIdentities {
    bool system_assigned = false;
    std::uint64_t attached = 0;
    std::vector<UserAssigned> uamis;
    std::uint64_t count = 0;
  };
  ResourceIdentities read_identities(const MapReader& m, const std::string& what) {
    ResourceIdentities ids;
    ids.system_assigned =
        m.has("system_assigned") && doc_.boolean(m.get("system_assigned"), what + " 'system_assigned'");
    if (m.has("user_assigned"))
      ids.uamis = read_user_assigned(m.get("user_assigned"), what + " 'user_assigned'", ids.attached);
    ids.count = instance_count(m, what, Cost::kResource);
    check_spreads(m, ids.uamis, what, ids.count);
    if (ids.system_assigned)
      budget_.add(Cost::kSystemIdentity, ids.count, m.get("system_assigned"),
                  "the system-assigned identities of " + what);
    budget_.add(Cost::kAttachment, saturating_mul(ids.count, ids.attached), m.get("user_assigned"),
                "the identity attachments of " + what);
    return ids;
  }

  void read_resource(const YAML::Node& n) {
    const MapReader m(doc_, n, "resource", keys(Section::kResource));
    const std::string name = doc_.string(m.require("name"), "resource 'name'");
    const std::string what = "resource '" + name + "'";
    const std::string type = known_type(m.require("type"), what + " 'type'");
    if (m.has("group") && m.has("parent")) doc_.fail(n, what + ": give 'group' or 'parent', not both");
    std::string container;
    if (m.has("parent")) {
      const NameList parents = expand(m.get("parent"), what + " 'parent'");
      if (parents.size() != 1) doc_.fail(m.get("parent"), what + " 'parent' must name one resource");
      container = parents[0];
    } else {
      container = m.has("group") ? doc_.string(m.get("group"), what + " 'group'") : default_group_;
    }
    const ResourceIdentities ids = read_identities(m, what);
    const bool system_assigned = ids.system_assigned;
    const std::uint64_t attached = ids.attached;
    const std::vector<UserAssigned>& uamis = ids.uamis;
    const std::uint64_t count = ids.count;
    const NameList instances = instance_names(m, name, count);
    reserve_operations(saturating_mul(count, saturating_add(1, attached)));
    // The places once, not per instance: the creations and the attachments alternate, and each
    // switch would add a place (a copy of the file's name) for every one of a fleet's million VMs.
    const std::uint32_t created_at = place_index(n);
    const std::uint32_t attached_at = uamis.empty() ? created_at : place_index(m.get("user_assigned"));
    for (std::size_t i = 0; i < instances.size(); ++i) {
      add(DirectoryOperation::create_resource(instances[i], type, container, system_assigned), created_at);
      for_each_attachment(uamis, i, instances.size(), [&](const std::string& identity) {
        add(DirectoryOperation::attach(instances[i], identity), attached_at);
      });
    }
  }

  /// A resource's `user_assigned:` list: names and templates every instance holds, and
  /// `{spread: T}` entries. `per_instance` is how many identities each instance holds.
  std::vector<UserAssigned> read_user_assigned(const YAML::Node& node, const std::string& what,
                                               std::uint64_t& per_instance) {
    std::vector<UserAssigned> out;
    per_instance = 0;
    const auto one = [&](const YAML::Node& item) {
      if (item.IsMap()) {
        const MapReader s(doc_, item, what + " entry", keys(Section::kUserAssignedSpread));
        NameList names = expand(s.require("spread"), what + " 'spread'");
        if (!names.is_template()) {
          std::vector<std::string_view> templates;
          for (const auto& [t, instances] : out_.templates) templates.push_back(t);
          doc_.fail(s.get("spread"), what +
                                         " 'spread' shares out the instances of a template (an identity with "
                                         "'count'); '" +
                                         names[0] + "'" + did_you_mean(names[0], templates) +
                                         " is not one: list it without 'spread'");
        }
        out.push_back(UserAssigned{std::move(names), true, item});
        per_instance = saturating_add(per_instance, 1);
        return;
      }
      NameList names = expand(item, what);
      per_instance = saturating_add(per_instance, names.size());
      out.push_back(UserAssigned{std::move(names), false, item});
    };
    if (node.IsScalar()) {
      one(node);
    } else {
      require_sequence(doc_, node, what);
      for (std::size_t i = 0; i < node.size(); ++i) one(node[i]);
    }
    return out;
  }

  /// A spread needs a template to spread over, with at least one instance per identity.
  void check_spreads(const MapReader& m, const std::vector<UserAssigned>& uamis, const std::string& what,
                     std::uint64_t count) {
    for (const UserAssigned& u : uamis) {
      if (!u.spread) continue;
      if (!m.has("count")) {
        doc_.fail(u.node, what +
                              ": 'spread' gives each instance of a template one of another template's "
                              "identities; " +
                              what + " has no 'count'");
      }
      if (u.names.size() > count) {
        doc_.fail(u.node, what + ": spreading " + std::to_string(u.names.size()) + " identities over " +
                              std::to_string(count) + " instances would leave " +
                              std::to_string(u.names.size() - count) +
                              " of them unused; give at least as many instances as identities");
      }
    }
  }

  /// Calls f(identity name) for each identity instance i of n holds.
  template <class F>
  static void for_each_attachment(const std::vector<UserAssigned>& uamis, std::size_t i, std::size_t n, F&& f) {
    for (const UserAssigned& u : uamis) {
      if (u.spread) {
        // Consecutive blocks: with 4 instances per identity, instances 0-3 hold the first. Both
        // counts are at most kMaxCount (1e7), so the product fits in 64 bits.
        const auto k = static_cast<std::size_t>(static_cast<std::uint64_t>(i) * u.names.size() / n);
        f(u.names[k]);
        continue;
      }
      for (std::size_t k = 0; k < u.names.size(); ++k) f(u.names[k]);
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

  /// The timeline's faults (docs/scenarios.md, "Faults"):
  ///   outage: {service: aad|imds|mirp|arm, region: eu, resource: web-3, mode: errors|timeouts, for: 30m}
  ///   degrade: {service: aad, region: eu, latency_factor: 4, error_rate: 5%, for: 30m}
  ///   update: {resource: web, status: 404|410, for: 70s}
  ///   cert_roll_failure: {identity: app-id, for: 100d}
  void read_fault(const std::string& action, const YAML::Node& v, const std::string& what, SimTime at,
                  SimTime duration) {
    const std::string w = what + " '" + action + "'";
    FaultConfig f;
    f.start = at;
    if (action == "outage") {
      const MapReader m(doc_, v, w, keys(Section::kOutage));
      const std::string service = doc_.choice(m.require("service"), w + " 'service'", words(Choice::kOutageService));
      if (service == "arm") {
        read_arm_outage(m, w, at, duration);
        return;
      }
      f.kind = service == "aad"    ? FaultConfig::Kind::kAadOutage
               : service == "imds" ? FaultConfig::Kind::kEndpointOutage
                                   : FaultConfig::Kind::kMirpOutage;
      if (m.has("region")) {
        if (service != "aad") doc_.fail(m.get("region"), w + " 'region' is for AAD; the " + service + " has none");
        f.region = doc_.string(m.get("region"), w + " 'region'");
      }
      if (m.has("resource")) {
        if (service != "imds") {
          doc_.fail(m.get("resource"), w +
                                           " 'resource' names the hosts whose token endpoint (imds) fails; "
                                           "it does not go with service '" +
                                           service + "'");
        }
        f.resources = fault_names(m.get("resource"), w + " 'resource'", /*identity=*/false);
      }
      if (m.has("mode")) {
        if (service == "mirp")
          doc_.fail(m.get("mode"), w + " 'mode': MIRP's outage shows as failed rolls and issuance, not answers");
        f.timeouts = doc_.choice(m.get("mode"), w + " 'mode'", words(Choice::kOutageMode)) == "timeouts";
      }
      f.end = window_end(m, w, at, duration);
    } else if (action == "degrade") {
      const MapReader m(doc_, v, w, keys(Section::kDegrade));
      (void)doc_.choice(m.require("service"), w + " 'service'", words(Choice::kDegradeService));
      f.kind = FaultConfig::Kind::kAadDegradation;
      if (m.has("region")) f.region = doc_.string(m.get("region"), w + " 'region'");
      if (!m.has("latency_factor") && !m.has("error_rate"))
        doc_.fail(v, w + " needs 'latency_factor' (e.g. 4), 'error_rate' (e.g. 5%) or both");
      if (m.has("latency_factor"))
        f.latency_factor = doc_.number(m.get("latency_factor"), w + " 'latency_factor'", 1.0, 1e6);
      if (m.has("error_rate")) f.error_rate = share(m.get("error_rate"), w + " 'error_rate'");
      f.end = window_end(m, w, at, duration);
    } else if (action == "update") {
      const MapReader m(doc_, v, w, keys(Section::kUpdate));
      f.kind = FaultConfig::Kind::kEndpointUpdate;
      if (m.has("resource")) f.resources = fault_names(m.get("resource"), w + " 'resource'", /*identity=*/false);
      if (m.has("status")) {
        // 410 "back within 70 s" or 404 "retry with exponential backoff" (azure-facts.md:17).
        const std::string status = doc_.string(m.get("status"), w + " 'status'");
        if (status != "404" && status != "410")
          doc_.fail(m.get("status"),
                    w + " 'status' must be 404 or 410 (what an updating endpoint answers), got '" + status + "'");
        f.status = status == "404" ? 404 : 410;
      }
      f.end = window_end(m, w, at, duration);
    } else {  // cert_roll_failure
      const MapReader m(doc_, v, w, keys(Section::kCertRollFailure));
      f.kind = FaultConfig::Kind::kCertificateRollFailure;
      f.identities = fault_names(m.require("identity"), w + " 'identity'", /*identity=*/true);
      f.end = window_end(m, w, at, duration);
    }
    out_.fault_region_places.push_back(f.region.empty() ? SourcePlace{} : doc_.place(v["region"]));
    out_.faults.push_back(std::move(f));
  }

  /// `outage: {service: arm, for: 30m, mode: errors|timeouts}`: ARM is one service for the whole
  /// estate, so it takes no region or resource.
  void read_arm_outage(const MapReader& m, const std::string& w, SimTime at, SimTime duration) {
    for (const char* key : {"region", "resource"}) {
      if (m.has(key)) doc_.fail(m.get(key), w + " '" + key + "': an ARM outage is for the whole estate; give none");
    }
    ArmOutage o;
    o.start = at;
    if (m.has("mode")) o.timeouts = doc_.choice(m.get("mode"), w + " 'mode'", words(Choice::kOutageMode)) == "timeouts";
    o.end = window_end(m, w, at, duration);
    out_.arm_outages.push_back(o);
  }

  /// The end of a fault window from its `for:`, cut at the end of the run.
  SimTime window_end(const MapReader& m, const std::string& w, SimTime at, SimTime duration) {
    const SimTime length = doc_.duration(m.require("for"), w + " 'for'");
    if (length <= 0) doc_.fail(m.get("for"), w + " 'for' must be longer than 0s");
    return length > duration - at ? duration : at + length;
  }

  /// A share written `5%` or `0.05`.
  double share(const YAML::Node& node, const std::string& what) {
    const std::string text = doc_.scalar(node, what);
    if (text.empty() || text.back() != '%') return doc_.number(node, what, 0.0, 1.0);
    const std::string digits = text.substr(0, text.size() - 1);
    char* end = nullptr;
    const double percent = std::strtod(digits.c_str(), &end);
    if (digits.empty() || end != digits.c_str() + digits.size() || !(percent >= 0.0 && percent <= 100.0))
      doc_.fail(node, what + ": expected a share such as 5% or 0.05 (0% to 100%), got '" + text + "'");
    return percent / 100.0;
  }

  /// The names a fault acts on (a name or a template), expanded; checked once the whole timeline is
  /// read, since the timeline may create them.
  std::vector<std::string> fault_names(const YAML::Node& node, const std::string& what, bool identity) {
    const NameList names = expand(node, what);
    budget_.add(Cost::kOperation, names.size(), node, what);
    std::vector<std::string> out;
    out.reserve(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) out.push_back(names[i]);
    fault_references_.push_back(FaultReference{doc_.place(node), what, out.front(), doc_.string(node, what), identity});
    return out;
  }

  /// Every name a fault acts on must be created by the topology or the timeline: a resource for
  /// the endpoints' faults, a user-assigned identity or a resource (its system-assigned identity)
  /// for certificate rolls.
  void check_fault_names() {
    if (fault_references_.empty()) return;
    std::set<std::string, std::less<>> resources;
    std::set<std::string, std::less<>> identities;
    const auto note = [&](const DirectoryOperation& op) {
      if (op.kind == OperationKind::kCreateResource) resources.insert(op.subject);
      if (op.kind == OperationKind::kCreateUserAssigned) identities.insert(op.subject);
    };
    for (const DirectoryOperation& op : out_.topology.operations) note(op);
    for (const TimedOperation& t : out_.timeline) note(t.operation);
    for (const FaultReference& r : fault_references_) {
      if (resources.count(r.first) != 0 || (r.identity && identities.count(r.first) != 0)) continue;
      std::vector<std::string_view> names;
      for (const std::string& n : resources) names.push_back(n);
      if (r.identity) {
        for (const std::string& n : identities) names.push_back(n);
      }
      for (const auto& [n, instances] : out_.templates) names.push_back(n);
      doc_.fail(r.place, r.what + ": no " + (r.identity ? "identity or resource" : "resource") + " named '" +
                             r.written + "' in the topology or the timeline" + did_you_mean(r.written, names));
    }
  }

  void timed(DirectoryOperation op) { out_.timeline.push_back(TimedOperation{0, std::move(op)}); }

  void read_action(const std::string& action, const YAML::Node& v, const std::string& what) {
    const std::string w = what + " '" + action + "'";
    if (action == "delete" || action == "enable_system_assigned" || action == "disable_system_assigned") {
      std::uint64_t total = 0;
      const std::vector<NameList> lists = expand_list(v, w, total);
      budget_.add(Cost::kOperation, total, v, w);
      for (const NameList& names : lists) {
        for (std::size_t i = 0; i < names.size(); ++i) {
          if (action == "delete") timed(DirectoryOperation::remove(names[i]));
          if (action == "enable_system_assigned") timed(DirectoryOperation::enable_system_assigned(names[i]));
          if (action == "disable_system_assigned") timed(DirectoryOperation::disable_system_assigned(names[i]));
        }
      }
    } else if (action == "attach" || action == "detach") {
      const char* side = action == "attach" ? "to" : "from";
      const MapReader m(doc_, v, w, keys(action == "attach" ? Section::kAttach : Section::kDetach));
      const std::string identity = doc_.string(m.require("identity"), w + " 'identity'");
      const NameList resources = expand(m.require(side), w + " '" + side + "'");
      budget_.add(action == "attach" ? Cost::kAttachment : Cost::kOperation, resources.size(), v, w);
      for (std::size_t i = 0; i < resources.size(); ++i) {
        timed(action == "attach" ? DirectoryOperation::attach(resources[i], identity)
                                 : DirectoryOperation::detach(resources[i], identity));
      }
    } else if (action == "assign" || action == "unassign") {
      const MapReader m(doc_, v, w, keys(action == "assign" ? Section::kAssign : Section::kUnassign));
      const std::string role = known_role(m.require("role"), w + " 'role'");
      const std::string name = m.has("name") ? doc_.string(m.get("name"), w + " 'name'") : std::string();
      const NameList principals = expand(m.require("principal"), w + " 'principal'");
      const NameList scopes = expand(m.require("scope"), w + " 'scope'");
      budget_.add(action == "assign" ? Cost::kRoleAssignment : Cost::kOperation,
                  saturating_mul(principals.size(), scopes.size()), v, w + " of every principal x every scope");
      for (std::size_t i = 0; i < principals.size(); ++i) {
        for (std::size_t k = 0; k < scopes.size(); ++k) {
          timed(action == "assign" ? DirectoryOperation::assign_role(principals[i], role, scopes[k], name)
                                   : DirectoryOperation::unassign_role(principals[i], role, scopes[k]));
        }
      }
    } else if (action == "create_user_assigned") {
      const MapReader m(doc_, v, w, keys(Section::kCreateUserAssigned));
      const std::string name = doc_.string(m.require("name"), w + " 'name'");
      const std::string group = m.has("group") ? doc_.string(m.get("group"), w + " 'group'") : default_group_;
      const NameList instances = instance_names(m, name, instance_count(m, w, Cost::kIdentity));
      for (std::size_t i = 0; i < instances.size(); ++i)
        timed(DirectoryOperation::create_user_assigned(instances[i], group));
    } else if (action == "create_resource") {
      const MapReader m(doc_, v, w, keys(Section::kCreateResource));
      const std::string name = doc_.string(m.require("name"), w + " 'name'");
      const std::string type = known_type(m.require("type"), w + " 'type'");
      const std::string group = m.has("group") ? doc_.string(m.get("group"), w + " 'group'") : default_group_;
      const ResourceIdentities ids = read_identities(m, w);
      const bool sa = ids.system_assigned;
      const std::vector<UserAssigned>& uamis = ids.uamis;
      const std::uint64_t count = ids.count;
      const NameList instances = instance_names(m, name, count);
      for (std::size_t i = 0; i < instances.size(); ++i) {
        timed(DirectoryOperation::create_resource(instances[i], type, group, sa));
        for_each_attachment(uamis, i, instances.size(), [&](const std::string& identity) {
          timed(DirectoryOperation::attach(instances[i], identity));
        });
      }
    } else if (action == "add_federated_credential") {
      budget_.add(Cost::kOperation, 1, v, w);
      std::string identity;
      timed(read_federated_credential(v, identity));
    } else {  // remove_federated_credential
      budget_.add(Cost::kOperation, 1, v, w);
      const MapReader m(doc_, v, w, keys(Section::kRemoveFederatedCredential));
      timed(DirectoryOperation::remove_federated_credential(doc_.string(m.require("identity"), w + " 'identity'"),
                                                            doc_.string(m.require("name"), w + " 'name'")));
    }
  }

  void add_defaults() {
    out_.topology.tenants.push_back("tenant");
    out_.tenant_places.push_back(SourcePlace{doc_.file(), 0, 0});
    out_.topology.subscriptions.push_back({"subscription", "tenant"});
    out_.subscription_places.push_back(SourcePlace{doc_.file(), 0, 0});
    out_.topology.operations.push_back(DirectoryOperation::create_resource_group(default_group_, "subscription"));
    out_.places.push_back(SourcePlace{doc_.file(), 0, 0});
    out_.operation_places.push_back(static_cast<std::uint32_t>(out_.places.size() - 1));
  }

  const Document& doc_;
  TopologyReading& out_;
  ResourceBudget& budget_;
  std::string default_group_ = "rg";
  YAML::Node last_place_node_;                    // the node of operation_places' last entry
  std::unique_ptr<BackgroundPrefault> prefault_;  // of the operations' spare capacity
  /// A name a fault acts on, checked when the whole timeline is read.
  struct FaultReference {
    SourcePlace place;
    std::string what;
    std::string first;    // the first name it stands for (a template's first instance)
    std::string written;  // as written
    bool identity;        // an identity (or a resource's system-assigned one), else a resource
  };
  std::vector<FaultReference> fault_references_;
};

}  // namespace

TopologyReading read_topology_and_timeline(const Document& doc, const YAML::Node& topology, const YAML::Node& timeline,
                                           SimTime duration, ResourceBudget& budget) {
  TopologyReading out;
  Reader reader(doc, out, budget);
  reader.read_topology(topology);
  reader.read_timeline(timeline, duration);
  return out;
}

void check_fault_regions(const Document& doc, const std::vector<FaultConfig>& faults,
                         const std::vector<SourcePlace>& region_places, const AadConfig& aad) {
  for (std::size_t f = 0; f < faults.size() && f < region_places.size(); ++f) {
    const std::string& region = faults[f].region;
    if (region.empty()) continue;
    bool known = false;
    std::vector<std::string_view> names;
    for (const AadRegionConfig& r : aad.regions) {
      known = known || r.name == region;
      names.push_back(r.name);
    }
    if (!known) {
      doc.fail(region_places[f], "'region' must be one of AAD's regions, " + quoted_list(names) +
                                     " (services: {aad: {regions: [...]}}), not '" + region + "'" +
                                     did_you_mean(region, names));
    }
  }
}

void check_estate(const Document& doc, const TopologyReading& reading, std::uint64_t seed) {
  TopologyFailure failure;
  Result<Directory> dir = build_directory(reading.topology, seed, &failure);
  if (!dir) {
    const SourcePlace& where = failure.part == TopologyFailure::Part::kTenant ? reading.tenant_places[failure.index]
                               : failure.part == TopologyFailure::Part::kSubscription
                                   ? reading.subscription_places[failure.index]
                                   : reading.places[reading.operation_places[failure.index]];
    std::string what = failure.part == TopologyFailure::Part::kOperation
                           ? describe(reading.topology.operations[failure.index]) + ": "
                           : std::string();
    doc.fail(where, what + failure.error.message);
  }
  for (std::size_t k = 0; k < reading.timeline.size(); ++k) {
    const TimedOperation& t = reading.timeline[k];
    // Runs of deletions at one time leave the graph in one pass, as in the Simulation.
    const bool more_deletions_follow = t.operation.kind == OperationKind::kDelete && k + 1 < reading.timeline.size() &&
                                       reading.timeline[k + 1].operation.kind == OperationKind::kDelete &&
                                       reading.timeline[k + 1].at == t.at;
    if (more_deletions_follow) dir->begin_deletions();
    auto done = apply(*dir, t.operation, t.at);
    if (!more_deletions_follow) dir->end_deletions();
    if (!done) {
      doc.fail(reading.places[reading.timeline_places[k]],
               "at " + format_duration(t.at) + ", " + describe(t.operation) + ": " + done.error().message);
    }
  }
}

}  // namespace misim::scenario
