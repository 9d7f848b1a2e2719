// Identifiers of the identity directory: one small integer id per entity, typed by what it names.
//
// The directory numbers the entities of each kind densely from 0 in the order they are created and
// never reuses a number, so an id indexes a vector (`dir.resource(id)`) and still names the entity
// after it is deleted (its record keeps the time of deletion). Typed ids (ResourceId, IdentityId,
// ...) catch a resource passed where an identity is expected at compile time; EntityRef names an
// entity of any kind, for operations that take any (delete, impact, name lookup).
//
//   ResourceId vm = *dir.create_resource("web-0", vm_type, group, now);
//   EntityRef any = vm;                    // implicit: kind kResource, index vm.index()
//   if (any.kind == EntityKind::kResource) use(any.as<ResourceId>());
#pragma once

#include <cassert>
#include <compare>
#include <cstdint>
#include <string_view>

namespace misim {

/// The kinds of entity that are vertices of the directory graph.
enum class EntityKind : std::uint8_t {
  kTenant,
  kSubscription,
  kResourceGroup,
  kResource,        // compute (vm, app_service, ...), targets (key_vault, ...), scale-set instances
  kIdentity,        // system-assigned, user-assigned, or an application's service principal
  kRoleAssignment,  // (principal, role, scope)
};
inline constexpr int kEntityKindCount = 6;

/// "tenant", "subscription", "resource group", "resource", "identity", "role assignment".
[[nodiscard]] std::string_view to_string(EntityKind kind) noexcept;

/// A dense id of one kind of entity. Default-constructed ids name nothing.
template <class Tag>
class EntityId {
 public:
  static constexpr std::uint32_t kInvalid = UINT32_MAX;

  constexpr EntityId() noexcept = default;
  constexpr explicit EntityId(std::uint32_t index) noexcept : index_(index) {}

  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] constexpr bool valid() const noexcept { return index_ != kInvalid; }
  friend constexpr auto operator<=>(EntityId, EntityId) noexcept = default;

 private:
  std::uint32_t index_ = kInvalid;
};

using TenantId = EntityId<struct TenantTag>;
using SubscriptionId = EntityId<struct SubscriptionTag>;
using ResourceGroupId = EntityId<struct ResourceGroupTag>;
using ResourceId = EntityId<struct ResourceTag>;
using IdentityId = EntityId<struct IdentityTag>;
using RoleAssignmentId = EntityId<struct RoleAssignmentTag>;
// Numbered the same way, but not vertices of the graph: catalogue entries and identity properties.
using RoleDefinitionId = EntityId<struct RoleDefinitionTag>;
using ResourceTypeId = EntityId<struct ResourceTypeTag>;
using FederatedCredentialId = EntityId<struct FederatedCredentialTag>;

/// The EntityKind a typed id names.
template <class Id>
struct KindOf;
template <>
struct KindOf<TenantId> {
  static constexpr EntityKind kValue = EntityKind::kTenant;
};
template <>
struct KindOf<SubscriptionId> {
  static constexpr EntityKind kValue = EntityKind::kSubscription;
};
template <>
struct KindOf<ResourceGroupId> {
  static constexpr EntityKind kValue = EntityKind::kResourceGroup;
};
template <>
struct KindOf<ResourceId> {
  static constexpr EntityKind kValue = EntityKind::kResource;
};
template <>
struct KindOf<IdentityId> {
  static constexpr EntityKind kValue = EntityKind::kIdentity;
};
template <>
struct KindOf<RoleAssignmentId> {
  static constexpr EntityKind kValue = EntityKind::kRoleAssignment;
};

template <class Id>
concept GraphEntityId = requires {
  KindOf<Id>::kValue;
};

/// Any entity of the graph: its kind and its dense index within that kind.
struct EntityRef {
  EntityKind kind = EntityKind::kTenant;
  std::uint32_t index = UINT32_MAX;

  constexpr EntityRef() noexcept = default;
  constexpr EntityRef(EntityKind k, std::uint32_t i) noexcept : kind(k), index(i) {}
  template <GraphEntityId Id>
  constexpr EntityRef(Id id) noexcept  // NOLINT(google-explicit-constructor): every typed id is an entity
      : kind(KindOf<Id>::kValue), index(id.index()) {}

  [[nodiscard]] constexpr bool valid() const noexcept { return index != UINT32_MAX; }
  [[nodiscard]] constexpr bool is(EntityKind k) const noexcept { return kind == k; }

  /// The typed id; the kind must match.
  template <GraphEntityId Id>
  [[nodiscard]] constexpr Id as() const noexcept {
    assert(kind == KindOf<Id>::kValue && "EntityRef::as: wrong kind");
    return Id(index);
  }

  friend constexpr auto operator<=>(const EntityRef&, const EntityRef&) noexcept = default;
};

}  // namespace misim
