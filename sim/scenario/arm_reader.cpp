// `services: arm:` (arm_reader.hpp).
#include "arm_reader.hpp"

#include "distribution_spec.hpp"
#include "language.hpp"

namespace misim::scenario {

namespace {

// A bound that keeps a typo from asking for nonsense; not Azure's.
constexpr std::int64_t kMaxLimit = 1'000'000'000;

/// A limit: a whole number of operations per window (at least 1), or `unlimited` (0 inside).
std::uint32_t read_limit(const Document& doc, const YAML::Node& node, const std::string& what) {
  if (node.IsScalar() && doc.scalar(node, what) == "unlimited") return 0;
  return static_cast<std::uint32_t>(doc.integer(node, what + " (or 'unlimited')", 1, kMaxLimit));
}

void read_limits(const Document& doc, const YAML::Node& node, ArmLimits& l) {
  const MapReader m(doc, node, "arm 'limits'", keys(Section::kArmLimits));
  if (m.has("window")) {
    l.window = doc.duration(m.get("window"), "arm 'limits' 'window'");
    if (l.window <= 0) doc.fail(m.get("window"), "arm 'limits' 'window' must be longer than 0s");
  }
  const auto limit = [&](const char* key, std::uint32_t& value) {
    if (m.has(key)) value = read_limit(doc, m.get(key), std::string("arm 'limits' '") + key + "'");
  };
  limit("identity_creations_per_subscription_region", l.identity_creations_per_subscription_region);
  limit("identity_creations_per_tenant_region", l.identity_creations_per_tenant_region);
  limit("assignments_per_subscription_region", l.assignments_per_subscription_region);
  limit("assignments_per_tenant_region", l.assignments_per_tenant_region);
  if (m.has("assignments")) {
    l.assignments = doc.choice(m.get("assignments"), "arm 'limits' 'assignments'", words(Choice::kArmAssignments)) ==
                            "identity_attachments"
                        ? ArmAssignments::kIdentityAttachments
                        : ArmAssignments::kRoleAssignments;
  }
}

}  // namespace

void read_arm(const Document& doc, const YAML::Node& node, ArmConfig& config) {
  const MapReader m(doc, node, "service 'arm'", keys(Section::kArm));
  if (m.has("latency")) config.latency = read_duration_distribution(doc, m.get("latency"), "arm 'latency'");
  if (m.has("limits")) read_limits(doc, m.get("limits"), config.limits);
}

}  // namespace misim::scenario
