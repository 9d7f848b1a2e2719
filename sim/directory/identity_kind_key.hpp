// The JSON spelling of an identity kind, shared by the directory and impact exports.
#pragma once

#include <string_view>

#include "misim/directory_entities.hpp"

namespace misim::directory_detail {

[[nodiscard]] constexpr std::string_view identity_kind_key(IdentityKind kind) noexcept {
  switch (kind) {
    case IdentityKind::kSystemAssigned:
      return "system_assigned";
    case IdentityKind::kUserAssigned:
      return "user_assigned";
    case IdentityKind::kServicePrincipal:
      return "service_principal";
  }
  return "unknown";
}

}  // namespace misim::directory_detail
