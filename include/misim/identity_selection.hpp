// Which identity a token request on a resource gets: the rule every managed-identity endpoint
// applies (azure-facts.md:51, :13, :61).
//
//   1. The request names an identity (client_id, object_id, or mi_res_id): that identity, if it
//      is one of the resource's; otherwise 400 "Identity not found".
//   2. Nothing named: the system-assigned identity if the resource has one;
//   3. else its only user-assigned identity;
//   4. else, with several user-assigned identities, 400 with the documented message
//      (azure-facts.md:20); with none at all, 400 "Identity not found" (azure-facts.md:19).
//
// Selection runs for every token request, so its outcome is a plain value: no allocation, and the
// messages are constants.
//
//   IdentitySelection s = dir.select_identity(vm, IdentitySelector::by_client_id(id));
//   if (!s.ok()) reply(s.http_status(), s.error_code(), s.message());
#pragma once

#include <cstdint>
#include <string_view>

#include "misim/directory_ids.hpp"
#include "misim/uuid.hpp"

namespace misim {

/// IMDS's answer when several user-assigned identities exist and the request names none
/// (azure-facts.md:20).
inline constexpr std::string_view kAmbiguousIdentityMessage =
    "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in "
    "the token request";
/// IMDS's answer for an identity the resource does not have (azure-facts.md:19).
inline constexpr std::string_view kIdentityNotFoundMessage = "Identity not found";
/// The OAuth error code of both (azure-facts.md:19).
inline constexpr std::string_view kInvalidRequestError = "invalid_request";
/// The HTTP status of both.
inline constexpr int kBadRequestStatus = 400;

enum class SelectorKind : std::uint8_t {
  kNone,        // the request names no identity
  kClientId,    // client_id=
  kObjectId,    // object_id= (principal_id= on App Service)
  kResourceId,  // mi_res_id= / msi_res_id=: the ARM id of a user-assigned identity
};

/// What a token request says about the identity it wants.
struct IdentitySelector {
  SelectorKind kind = SelectorKind::kNone;
  /// kClientId, kObjectId: the id sent.
  Uuid id;
  /// kResourceId: the identity the ARM id names (resolved once, at scenario load, by
  /// Directory::find_by_arm_id), or an invalid id for an ARM id that names nothing.
  IdentityId identity;

  static constexpr IdentitySelector none() noexcept { return {}; }
  static constexpr IdentitySelector by_client_id(Uuid client_id) noexcept {
    return {SelectorKind::kClientId, client_id, {}};
  }
  static constexpr IdentitySelector by_object_id(Uuid object_id) noexcept {
    return {SelectorKind::kObjectId, object_id, {}};
  }
  static constexpr IdentitySelector by_resource_id(IdentityId named) noexcept {
    return {SelectorKind::kResourceId, {}, named};
  }
};

enum class SelectionFailure : std::uint8_t {
  kNone,        // an identity was selected
  kNoIdentity,  // the resource has no identity at all
  kAmbiguous,   // several user-assigned identities, none named
  kNotFound,    // the named identity is not one of the resource's
  kNoResource,  // the resource does not exist (deleted)
};

struct IdentitySelection {
  IdentityId identity;
  SelectionFailure failure = SelectionFailure::kNone;

  [[nodiscard]] constexpr bool ok() const noexcept { return failure == SelectionFailure::kNone; }
  /// 200 when selected, else 400.
  [[nodiscard]] constexpr int http_status() const noexcept { return ok() ? 200 : kBadRequestStatus; }
  /// "invalid_request" on failure, empty when selected.
  [[nodiscard]] constexpr std::string_view error_code() const noexcept {
    return ok() ? std::string_view{} : kInvalidRequestError;
  }
  /// The documented error description, empty when selected.
  [[nodiscard]] constexpr std::string_view message() const noexcept {
    switch (failure) {
      case SelectionFailure::kNone:
        return {};
      case SelectionFailure::kAmbiguous:
        return kAmbiguousIdentityMessage;
      case SelectionFailure::kNoIdentity:
      case SelectionFailure::kNotFound:
      case SelectionFailure::kNoResource:
        break;
    }
    return kIdentityNotFoundMessage;
  }
};

}  // namespace misim
