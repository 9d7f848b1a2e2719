#include "misim/topology.hpp"

namespace misim {

Result<Directory> build_directory(const TopologyConfig& topology, std::uint64_t seed, TopologyFailure* failure) {
  const auto fail = [&](TopologyFailure::Part part, std::size_t index, Error error) -> Error {
    if (failure != nullptr) *failure = TopologyFailure{part, index, error};
    return error;
  };
  Directory dir(DirectoryConfig{.seed = seed, .limits = topology.limits});
  for (std::size_t i = 0; i < topology.tenants.size(); ++i) {
    if (auto t = dir.create_tenant(topology.tenants[i], 0); !t) {
      return fail(TopologyFailure::Part::kTenant, i, t.error());
    }
  }
  for (std::size_t i = 0; i < topology.subscriptions.size(); ++i) {
    const auto& s = topology.subscriptions[i];
    Result<TenantId> tenant = dir.lookup_tenant(s.tenant);
    if (!tenant) return fail(TopologyFailure::Part::kSubscription, i, tenant.error());
    if (auto sub = dir.create_subscription(s.name, *tenant, 0); !sub) {
      return fail(TopologyFailure::Part::kSubscription, i, sub.error());
    }
  }
  for (std::size_t i = 0; i < topology.operations.size(); ++i) {
    if (auto done = apply(dir, topology.operations[i], 0); !done) {
      return fail(TopologyFailure::Part::kOperation, i, done.error());
    }
  }
  return dir;
}

Result<Directory> build_directory_at(const TopologyConfig& topology, const std::vector<TimedOperation>& timeline,
                                     std::uint64_t seed, SimTime at) {
  Result<Directory> dir = build_directory(topology, seed);
  if (!dir) return dir;
  for (const TimedOperation& t : timeline) {
    if (t.at > at) break;
    if (auto done = apply(*dir, t.operation, t.at); !done) {
      return Error{"at " + format_duration(t.at) + ", " + describe(t.operation) + ": " + done.error().message, {}};
    }
  }
  return dir;
}

}  // namespace misim
