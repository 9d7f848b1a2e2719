// The documented limits the directory enforces. Every default cites its line in
// azure-facts.md; a scenario overrides any of them (a benchmark building a million resources in one
// subscription raises them all).
#pragma once

#include <cstdint>

#include "misim/time.hpp"

namespace misim {

struct DirectoryLimits {
  /// Role assignments whose scope is in one subscription, orphaned ones included: 4,000
  /// (azure-facts.md:53; newer pages say 5,000).
  std::uint32_t role_assignments_per_subscription = 4'000;
  /// Federated identity credentials on one user-assigned identity (azure-facts.md:54).
  std::uint32_t federated_credentials_per_identity = 20;
  /// Directory objects per tenant: 50,000 (azure-facts.md:55; 300,000 with a verified domain).
  std::uint32_t directory_objects_per_tenant = 50'000;
  /// How long a deleted system-assigned identity still counts against the directory object
  /// quota (azure-facts.md:50).
  SimTime deleted_system_identity_retention = 30 * kDay;
};

}  // namespace misim
