// The parameters of ARM (Azure Resource Manager) as the model sees it: the stage between a
// timeline operation and its effect on the directory. An operation issued at T reaches ARM at T,
// is admitted or answered 429 by the documented rate limits on managed-identity operations (the
// issuer retries after Retry-After), fails or waits while an outage from the timeline is in
// force, and takes effect `latency` after its admission. docs/model.md, "ARM".
//
//   ArmConfig arm;                                               // defaults: effect at once
//   arm.latency = *Distribution::lognormal_median_p99(2e9, 20e9);
//   arm.limits.identity_creations_per_subscription_region = 40;  // the older figure
//   arm.outages.push_back({.start = 2 * kHour, .end = 3 * kHour, .timeouts = false});
#pragma once

#include <cstdint>
#include <vector>

#include "misim/distribution.hpp"
#include "misim/time.hpp"

namespace misim {

/// What the "assignment" limits count (docs/model.md, "ARM"): role-assignment writes (issue 5's
/// reading of azure-facts.md:52), or attachments of a user-assigned identity to a resource (its
/// source's wording: "the rate at which a user-assigned managed identity can be assigned with an
/// Azure resource").
enum class ArmAssignments : std::uint8_t { kRoleAssignments, kIdentityAttachments };

/// ARM's rate limits on managed-identity operations: at most N admitted in any `window`, counted
/// per subscription and region and per tenant and region (azure-facts.md:52). 0: no limit.
struct ArmLimits {
  SimTime window = 20 * kSecond;
  /// Identity creations (a user-assigned identity, or a resource's system-assigned one).
  std::uint32_t identity_creations_per_subscription_region = 80;
  std::uint32_t identity_creations_per_tenant_region = 400;
  /// Assignments: role-assignment writes (assign and unassign) by default, or identity
  /// attachments (attach), as `assignments` says.
  std::uint32_t assignments_per_subscription_region = 300;
  std::uint32_t assignments_per_tenant_region = 400;
  ArmAssignments assignments = ArmAssignments::kRoleAssignments;
};

/// An ARM outage from the timeline (`outage: {service: arm, for: 30m, mode: errors}`).
struct ArmOutage {
  SimTime start = 0;
  SimTime end = 0;
  /// false: operations reaching ARM fail (503); true: ARM answers nothing, and the issuer's
  /// retries get through only when it is back, so operations wait for the end of the outage.
  bool timeouts = false;
};

struct ArmConfig {
  /// From admission to effect. No documented figure (azure-facts.md has none): the constant 0 by
  /// default (a default Distribution), an assumption that keeps an operation's effect at its issue time.
  Distribution latency;
  ArmLimits limits;
  std::vector<ArmOutage> outages;
};

}  // namespace misim
