// Topology: the estate a scenario starts from (tenants, subscriptions, and the directory operations
// that create resource groups, resources, identities, attachments, role assignments and federated
// credentials), and the timeline of lifecycle operations applied during the run.
//
// Both are plain values naming entities by their scenario names, so the scenario loader can check
// them (replaying them on a scratch Directory) and the Simulation can build its own copy.
//
//   TopologyConfig t;
//   t.tenants = {"contoso"};
//   t.subscriptions = {{"prod", "contoso"}};
//   t.operations.push_back(DirectoryOperation::create_resource_group("rg", "prod"));
//   Result<Directory> dir = build_directory(t, seed);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "misim/directory.hpp"
#include "misim/directory_operation.hpp"
#include "misim/result.hpp"
#include "misim/time.hpp"

namespace misim {

struct TopologyConfig {
  struct SubscriptionSpec {
    std::string name;
    std::string tenant;
  };
  std::vector<std::string> tenants;
  std::vector<SubscriptionSpec> subscriptions;
  /// Azure's documented limits (directory_limits.hpp); a fleet-sized scenario raises them.
  DirectoryLimits limits;
  /// Applied in order at time 0.
  std::vector<DirectoryOperation> operations;
};

/// A lifecycle operation of the timeline, applied at simulated time `at`.
struct TimedOperation {
  SimTime at = 0;
  DirectoryOperation operation;
};

/// Where building failed: which part, and the Directory's error.
struct TopologyFailure {
  enum class Part { kTenant, kSubscription, kOperation } part = Part::kOperation;
  std::size_t index = 0;
  Error error;
};

/// Builds the directory the topology describes, at time 0. On failure `failure` (if given) says
/// which tenant, subscription or operation failed.
Result<Directory> build_directory(const TopologyConfig& topology, std::uint64_t seed,
                                  TopologyFailure* failure = nullptr);

/// The directory as it stands at time `at`: the topology, then every timeline operation due by
/// then (`misim graph --at`, `misim impact --at`).
Result<Directory> build_directory_at(const TopologyConfig& topology, const std::vector<TimedOperation>& timeline,
                                     std::uint64_t seed, SimTime at);

}  // namespace misim
