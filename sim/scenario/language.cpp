// The scenario language's table (language.hpp). docs/scenarios.md explains every key;
// docs/scenario.schema.json describes them for editors; scenario_schema_test keeps all three agreeing.
#include "language.hpp"

#include <cassert>

namespace misim::scenario {

namespace {

// clang-format off
const std::vector<std::string_view> kTimelineActions = {
    "delete",
    "attach",
    "detach",
    "assign",
    "unassign",
    "enable_system_assigned",
    "disable_system_assigned",
    "create_user_assigned",
    "create_resource",
    "add_federated_credential",
    "remove_federated_credential",
    "outage",
    "degrade",
    "update",
    "cert_roll_failure",
};

const std::vector<TokenService> kTokenServices = {
    {"imds", Section::kImds},
    {"aad", Section::kAad},
    {"mirp", Section::kMirp},
    {"propagation", Section::kPropagation},
    {"app_service", Section::kAppService},
    {"arc_himds", Section::kArcHimds},
    {"workload_identity", Section::kWorkloadIdentity},
    {"arm", Section::kArm},
};

struct DistributionRow {
  std::string_view kind;
  Section section;
};
/// The kinds `dist:` names, in the order errors list them, each with the section of its keys.
const DistributionRow kDistributions[] = {
    {"constant", Section::kDistributionConstant},
    {"exponential", Section::kDistributionExponential},
    {"uniform", Section::kDistributionUniform},
    {"normal", Section::kDistributionNormal},
    {"lognormal", Section::kDistributionLognormal},
    {"gamma", Section::kDistributionGamma},
    {"erlang", Section::kDistributionErlang},
    {"empirical", Section::kDistributionEmpirical},
};

std::vector<SectionSpec> build_sections() {
  std::vector<std::string_view> timeline_entry = {"at"};
  timeline_entry.insert(timeline_entry.end(), kTimelineActions.begin(), kTimelineActions.end());
  return {
      {Section::kScenario, "scenario", {"name", "description", "extends", "seed", "duration", "warmup", "params",
                                        "topology", "services", "workload", "timeline", "expect"}},
      {Section::kService, "service", {"servers", "queue_capacity", "latency"}},
      {Section::kImds, "service_imds", {"rate_limit", "max_concurrent", "latency", "cache", "cache_margin"}},
      {Section::kAad, "service_aad", {"servers", "queue_capacity", "latency", "throttle_rate", "token_lifetime",
                                      "retry_after", "regions"}},
      {Section::kMirp, "service_mirp", {"cert_validity", "cert_roll_after", "roll_retry_interval", "rolling"}},
      {Section::kPropagation, "service_propagation", {"rbac_delay", "identity_replication"}},
      {Section::kAppService, "service_app_service", {"rate_limit", "max_concurrent", "latency", "cache",
                                                     "cache_margin"}},
      {Section::kArcHimds, "service_arc_himds", {"rate_limit", "max_concurrent", "latency", "cache", "cache_margin",
                                                 "key_read"}},
      {Section::kWorkloadIdentity, "service_workload_identity", {"service_account_token_lifetime",
                                                                 "kubelet_refresh", "latency",
                                                                 "federated_credential_replication"}},
      {Section::kArm, "service_arm", {"latency", "limits"}},
      {Section::kArmLimits, "arm_limits", {"window", "identity_creations_per_subscription_region",
                                           "identity_creations_per_tenant_region",
                                           "assignments_per_subscription_region",
                                           "assignments_per_tenant_region", "assignments"}},
      {Section::kAadRegion, "aad_region", {"name", "resources"}},
      {Section::kWorkload, "workload", {"name", "stage", "rate", "arrivals", "start", "stop", "profile", "bursts"}},
      {Section::kCallWorkload, "call_workload", {"name", "from", "target", "audience", "action", "identity", "client",
                                                 "rate", "arrivals", "start", "stop", "profile", "bursts",
                                                 "call_at_start", "start_jitter", "select_by", "issuer",
                                                 "subject"}},
      {Section::kBurst, "burst", {"at", "for", "factor"}},
      {Section::kExpectation, "expectation", {"metric", "below", "above", "between"}},
      {Section::kAccessExpectation, "access_expectation", {"access", "granted_until", "denied_after", "within",
                                                           "granted"}},
      {Section::kTopology, "topology", {"tenants", "subscriptions", "resource_groups", "identities", "resources",
                                        "role_assignments", "federated_credentials", "limits"}},
      {Section::kTenant, "tenant", {"name"}},
      {Section::kSubscription, "subscription", {"name", "tenant"}},
      {Section::kResourceGroup, "resource_group", {"name", "subscription"}},
      {Section::kLimits, "limits", {"role_assignments_per_subscription", "federated_credentials_per_identity",
                                    "directory_objects_per_tenant"}},
      {Section::kIdentity, "identity", {"name", "kind", "group", "tenant", "count"}},
      {Section::kResource, "resource", {"name", "type", "count", "group", "parent", "system_assigned",
                                        "user_assigned"}},
      {Section::kUserAssignedSpread, "user_assigned_spread", {"spread"}},
      {Section::kRoleAssignment, "role_assignment", {"principal", "role", "scope", "name"}},
      {Section::kFederatedCredential, "federated_credential", {"identity", "name", "issuer", "subject", "audience"}},
      {Section::kTimelineEntry, "timeline_entry", std::move(timeline_entry)},
      {Section::kAttach, "timeline_attach", {"identity", "to"}},
      {Section::kDetach, "timeline_detach", {"identity", "from"}},
      {Section::kAssign, "timeline_assign", {"principal", "role", "scope", "name"}},
      {Section::kUnassign, "timeline_unassign", {"principal", "role", "scope"}},
      {Section::kCreateUserAssigned, "timeline_create_user_assigned", {"name", "group", "count"}},
      {Section::kCreateResource, "timeline_create_resource", {"name", "type", "count", "group", "system_assigned",
                                                               "user_assigned"}},
      {Section::kRemoveFederatedCredential, "timeline_remove_federated_credential", {"identity", "name"}},
      {Section::kOutage, "timeline_outage", {"service", "region", "resource", "mode", "for"}},
      {Section::kDegrade, "timeline_degrade", {"service", "region", "latency_factor", "error_rate", "for"}},
      {Section::kUpdate, "timeline_update", {"resource", "status", "for"}},
      {Section::kCertRollFailure, "timeline_cert_roll_failure", {"identity", "for"}},
      // 'mean' is accepted for a constant too, so a scenario can switch kinds with one param
      // ({dist: ${kind}, mean: 100ms}); for a constant the mean is its value.
      {Section::kDistributionConstant, "distribution_constant", {"dist", "value", "mean", "rate"}},
      {Section::kDistributionExponential, "distribution_exponential", {"dist", "mean", "rate"}},
      {Section::kDistributionUniform, "distribution_uniform", {"dist", "low", "high"}},
      {Section::kDistributionNormal, "distribution_normal", {"dist", "mean", "sd"}},
      {Section::kDistributionLognormal, "distribution_lognormal", {"dist", "median", "p99", "mu", "sigma"}},
      {Section::kDistributionGamma, "distribution_gamma", {"dist", "shape", "scale"}},
      {Section::kDistributionErlang, "distribution_erlang", {"dist", "k", "mean"}},
      {Section::kDistributionEmpirical, "distribution_empirical", {"dist", "percentiles"}},
  };
}

std::vector<ChoiceSpec> build_choices() {
  std::vector<std::string_view> kinds;
  for (const DistributionRow& row : kDistributions) kinds.push_back(row.kind);
  return {
      {Choice::kDistributionKind, "distribution_kind", std::move(kinds)},
      {Choice::kArrivalProcess, "arrival_process", {"poisson", "constant"}},
      {Choice::kIdentityKind, "identity_kind", {"user_assigned", "service_principal"}},
      {Choice::kIdentitySelector, "identity_selector", {"client_id", "object_id", "principal_id", "mi_res_id"}},
      {Choice::kOutageService, "outage_service", {"aad", "imds", "mirp", "arm"}},
      {Choice::kOutageMode, "outage_mode", {"errors", "timeouts"}},
      {Choice::kDegradeService, "degrade_service", {"aad"}},
      {Choice::kArmAssignments, "arm_assignments", {"role_assignments", "identity_attachments"}},
  };
}
// clang-format on

}  // namespace

const std::vector<SectionSpec>& sections() {
  static const std::vector<SectionSpec> table = build_sections();
  return table;
}

const std::vector<std::string_view>& keys(Section section) {
  const auto i = static_cast<std::size_t>(section);
  assert(i < sections().size() && sections()[i].section == section && "language.cpp: rows follow Section's order");
  return sections()[i].keys;
}

const std::vector<ChoiceSpec>& choice_sets() {
  static const std::vector<ChoiceSpec> table = build_choices();
  return table;
}

const std::vector<std::string_view>& words(Choice choice) {
  const auto i = static_cast<std::size_t>(choice);
  assert(i < choice_sets().size() && choice_sets()[i].choice == choice && "language.cpp: rows follow Choice's order");
  return choice_sets()[i].words;
}

const std::vector<std::string_view>& timeline_actions() { return kTimelineActions; }

const std::vector<TokenService>& token_services() { return kTokenServices; }

Section distribution_section(std::string_view kind) {
  for (const DistributionRow& row : kDistributions) {
    if (row.kind == kind) return row.section;
  }
  assert(false && "distribution_section: a kind Document::choice accepted must have a row");
  return Section::kDistributionConstant;
}

std::string comma_list(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

}  // namespace misim::scenario
