// The identity directory at fleet scale (docs/model.md, "Scale").
//
//   BM_DirectoryBuild        1,000,000 resources (1% of them key vaults) in 10,000 resource groups,
//                            250,000 user-assigned identities each attached to about 4 resources,
//                            1,000,000 role assignments (4 per identity, each on a vault). One
//                            iteration builds it all; counters: bytes_per_resource (heap in use
//                            after the build, over the resources) and the entity counts.
//                            Bars: under 10 s, under 1 KiB per resource.
//   BM_ImpactSharedIdentity  the impact of deleting a user-assigned identity shared by 100,000
//                            resources, with assignments on a vault and a storage account's group.
//                            Bar: under 100 ms.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "misim/directory.hpp"
#include "misim/directory_operation.hpp"
#include "misim/impact.hpp"

namespace misim::bench {
namespace {

constexpr std::uint32_t kResources = 1'000'000;
constexpr std::uint32_t kGroups = 10'000;
constexpr std::uint32_t kUserAssigned = 250'000;
constexpr std::uint32_t kAssignmentsPerIdentity = 4;  // 1,000,000 in all
constexpr std::uint32_t kVaultEvery = 100;            // 1% of resources are key vaults
constexpr std::uint32_t kVaults = kResources / kVaultEvery;

/// Bytes the heap has handed out (small blocks and large mmap'ed ones), or 0 where unknown.
std::size_t heap_in_use() {
#if defined(__GLIBC__)
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#else
  return 0;
#endif
}

/// Limits high enough for one subscription to hold the whole fleet (they are per subscription and
/// per tenant in Azure; the benchmark measures the data structure, not the quota).
DirectoryConfig fleet_config() {
  DirectoryConfig c;
  c.seed = 20240601;
  c.limits.role_assignments_per_subscription = 2 * kResources;
  c.limits.directory_objects_per_tenant = 2 * kResources;
  return c;
}

void build_fleet(Directory& d) {
  d.reserve({.resource_groups = kGroups,
             .resources = kResources,
             .identities = kUserAssigned,
             .role_assignments = kUserAssigned * kAssignmentsPerIdentity});
  const TenantId tenant = *d.create_tenant("contoso", 0);
  const SubscriptionId sub = *d.create_subscription("prod", tenant, 0);
  const ResourceTypeId vm = *d.resource_type("vm");
  const ResourceTypeId key_vault = *d.resource_type("key_vault");
  const RoleDefinitionId secrets_user = *d.role("Key Vault Secrets User");
  std::string name;
  for (std::uint32_t g = 0; g < kGroups; ++g) {
    name = "rg-" + std::to_string(g);
    (void)d.create_resource_group(name, sub, 0);
  }
  for (std::uint32_t u = 0; u < kUserAssigned; ++u) {
    name = "uai-" + std::to_string(u);
    (void)d.create_user_assigned(name, ResourceGroupId(u % kGroups), 0);
  }
  std::vector<ResourceId> vaults;
  vaults.reserve(kVaults);
  for (std::uint32_t r = 0; r < kResources; ++r) {
    const bool is_vault = r % kVaultEvery == kVaultEvery - 1;
    name = (is_vault ? "kv-" : "vm-") + std::to_string(r);
    const ResourceId id = *d.create_resource(name, is_vault ? key_vault : vm, ResourceGroupId(r % kGroups), 0);
    if (is_vault) {
      vaults.push_back(id);
    } else {
      (void)d.attach(id, IdentityId(r % kUserAssigned), 0);
    }
  }
  for (std::uint32_t u = 0; u < kUserAssigned; ++u) {
    for (std::uint32_t k = 0; k < kAssignmentsPerIdentity; ++k) {
      const ResourceId vault = vaults[(u + k * (kVaults / kAssignmentsPerIdentity)) % kVaults];  // 4 distinct vaults
      (void)d.assign_role(IdentityId(u), secrets_user, vault, 0);
    }
  }
}

void BM_DirectoryBuild(benchmark::State& state) {
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto d = std::make_unique<Directory>(fleet_config());
    build_fleet(*d);
    const std::size_t after = heap_in_use();
    state.PauseTiming();
    if (d->live_count(EntityKind::kResource) != kResources ||
        d->live_count(EntityKind::kRoleAssignment) != std::size_t{kUserAssigned} * kAssignmentsPerIdentity) {
      state.SkipWithError("the fleet was not built completely");
    }
    state.counters["bytes_per_resource"] = static_cast<double>(after - before) / kResources;
    state.counters["resources"] = static_cast<double>(d->live_count(EntityKind::kResource));
    state.counters["identities"] = static_cast<double>(d->live_count(EntityKind::kIdentity));
    state.counters["role_assignments"] = static_cast<double>(d->live_count(EntityKind::kRoleAssignment));
    d.reset();  // freeing millions of graph nodes is not part of building
    state.ResumeTiming();
  }
}
BENCHMARK(BM_DirectoryBuild)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

constexpr std::uint32_t kSharedHolders = 100'000;

void BM_ImpactSharedIdentity(benchmark::State& state) {
  Directory d(fleet_config());
  const TenantId tenant = *d.create_tenant("contoso", 0);
  const SubscriptionId sub = *d.create_subscription("prod", tenant, 0);
  const ResourceGroupId web = *d.create_resource_group("rg-web", sub, 0);
  const ResourceGroupId data = *d.create_resource_group("rg-data", sub, 0);
  const ResourceId vault = *d.create_resource("vault", *d.resource_type("key_vault"), data, 0);
  (void)d.create_resource("store", *d.resource_type("storage_account"), data, 0);
  const IdentityId shared = *d.create_user_assigned("shared-id", web, 0);
  (void)d.assign_role(shared, *d.role("Key Vault Secrets User"), vault, 0);
  (void)d.assign_role(shared, *d.role("Storage Blob Data Reader"), data, 0);
  const ResourceTypeId vm = *d.resource_type("vm");
  for (std::uint32_t i = 0; i < kSharedHolders; ++i) {
    const ResourceId r = *d.create_resource("web-" + std::to_string(i), vm, web, 0);
    (void)d.attach(r, shared, 0);
  }
  const DirectoryOperation remove = DirectoryOperation::remove("shared-id");
  std::size_t lost = 0;
  for (auto _ : state) {
    Result<ImpactReport> r = d.impact(remove);
    lost = r ? r->accesses_lost.size() : 0;
    benchmark::DoNotOptimize(lost);
  }
  if (lost != 2 * kSharedHolders) state.SkipWithError("unexpected impact");
  state.counters["holders"] = kSharedHolders;
  state.counters["accesses_lost"] = static_cast<double>(lost);
}
BENCHMARK(BM_ImpactSharedIdentity)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace misim::bench
