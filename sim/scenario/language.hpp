// The scenario language's vocabulary: the keys each section of a scenario accepts, the closed sets
// of words some keys take, and the timeline's actions. It is ONE table: the loader checks keys and
// words against it (MapReader, Document::choice), and tests/scenario/scenario_schema_test.cpp
// checks docs/scenario.schema.json against it, so the loader and the schema editors complete from
// cannot drift apart.
//
// Adding a key to a section is one line here (append it to the section's row, where it also
// becomes part of the "expected ..." list of the unknown-key error) plus its entry, with a
// description and examples, in the schema; the test fails until both are there. Adding a section
// is an enumerator of Section, a row of the table and a definition of the same name in the schema.
// Adding a timeline action is one line of the action list (and its branch in topology_reader.cpp).
//
//   const MapReader m(doc, node, "resource", keys(Section::kResource));
//   const std::string p = doc.choice(node, what, words(Choice::kArrivalProcess));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace misim::scenario {

/// A mapping of the language with a fixed set of keys. The table's rows are in this order.
enum class Section : std::uint8_t {
  kScenario,  // the top level
  kService,   // a stage of its own: any name but the token path's services
  kImds,      // services: the token path's
  kAad,
  kMirp,
  kPropagation,
  kAppService,         // services: IDENTITY_ENDPOINT on App Service, Functions, Container Apps
  kArcHimds,           // services: Azure Arc's HIMDS
  kWorkloadIdentity,   // services: AKS workload identity
  kArm,                // services: ARM between the timeline's operations and their effect
  kArmLimits,          // arm's `limits:` (rate limits on identity creations and role assignments)
  kAadRegion,          // an entry of aad's `regions:` given as a mapping (`{name: eu, resources: [web]}`)
  kWorkload,           // requests straight into a stage (`stage:`)
  kCallWorkload,       // application calls from resources to a target (`from:`)
  kBurst,              // a window that multiplies a workload's rate
  kExpectation,        // a bound on a summary.json metric (`metric:`)
  kAccessExpectation,  // when a resource can reach a target (`access:`)
  kTopology,
  kTenant,
  kSubscription,
  kResourceGroup,
  kLimits,
  kIdentity,
  kResource,
  kUserAssignedSpread,  // `{spread: uami}` in a resource's user_assigned list: one instance each
  kRoleAssignment,
  kFederatedCredential,  // in topology, and the value of the timeline's add_federated_credential
  kTimelineEntry,        // `at` and the actions
  kAttach,
  kDetach,
  kAssign,
  kUnassign,
  kCreateUserAssigned,
  kCreateResource,
  kRemoveFederatedCredential,
  kOutage,
  kDegrade,          // the timeline's `degrade:` (AAD slower, failing a share)
  kUpdate,           // the timeline's `update:` (token endpoints answering 410)
  kCertRollFailure,  // the timeline's `cert_roll_failure:` (MIRP's rolls of an identity fail)
  kDistributionConstant,
  kDistributionExponential,
  kDistributionUniform,
  kDistributionNormal,
  kDistributionLognormal,
  kDistributionGamma,
  kDistributionErlang,
  kDistributionEmpirical,
};
inline constexpr std::size_t kSectionCount = static_cast<std::size_t>(Section::kDistributionEmpirical) + 1;

struct SectionSpec {
  Section section;
  /// Its definition in docs/scenario.schema.json: `definitions/<name>`; the schema's root for kScenario.
  std::string_view name;
  /// The keys the loader accepts, in the order the unknown-key error lists them.
  std::vector<std::string_view> keys;
};

/// Every section, indexed by Section.
[[nodiscard]] const std::vector<SectionSpec>& sections();
/// The keys of one section.
[[nodiscard]] const std::vector<std::string_view>& keys(Section section);

/// A closed set of words a key takes.
enum class Choice : std::uint8_t {
  kDistributionKind,  // `dist:`
  kArrivalProcess,    // a workload's `arrivals:`
  kIdentityKind,      // an identity's `kind:`
  kIdentitySelector,  // a workload's `select_by:` (client_id, object_id, principal_id, mi_res_id)
  kOutageService,     // the timeline's `outage: {service: ...}`
  kOutageMode,        // the timeline's `outage: {mode: ...}`
  kDegradeService,    // the timeline's `degrade: {service: ...}`
  kArmAssignments,    // arm `limits: {assignments: ...}`: what the assignment limits count
};
inline constexpr std::size_t kChoiceCount = static_cast<std::size_t>(Choice::kArmAssignments) + 1;

struct ChoiceSpec {
  Choice choice;
  /// Its definition (an `enum`) in docs/scenario.schema.json: `definitions/<name>`.
  std::string_view name;
  std::vector<std::string_view> words;
};

/// Every closed set of words, indexed by Choice.
[[nodiscard]] const std::vector<ChoiceSpec>& choice_sets();
[[nodiscard]] const std::vector<std::string_view>& words(Choice choice);

/// The timeline's actions, one per entry beside `at`, in the order errors list them.
[[nodiscard]] const std::vector<std::string_view>& timeline_actions();

/// A `services:` name that configures the token path rather than a stage of its own.
struct TokenService {
  std::string_view name;
  Section section;
};
[[nodiscard]] const std::vector<TokenService>& token_services();

/// The section of a distribution kind's mapping (`{dist: lognormal, median: ..., p99: ...}`).
[[nodiscard]] Section distribution_section(std::string_view kind);

/// `a, b, c`: a list of words for a sentence.
[[nodiscard]] std::string comma_list(const std::vector<std::string_view>& words);

}  // namespace misim::scenario
