// What a host's token endpoint is called in words, by the host's resource type (docs/model.md,
// "Other hosts' token endpoints"): summary.json's `stages.imds.name` and the token-endpoint
// participant of `misim trace sequence`. The endpoint stage and station keep the name `imds` for
// every host; these words say what it stands for.
//
//   token_endpoint_name(TokenEndpoint::kArcHimds, "arc_server")   // "Arc HIMDS"
#pragma once

#include <string_view>

#include "misim/resource_type.hpp"

namespace misim {

/// "IMDS"; "App Service identity endpoint (IDENTITY_ENDPOINT)", or Functions' or Container Apps'
/// for `function_app` and `container_app`; "Arc HIMDS"; "AKS workload identity (token exchange at
/// AAD)"; empty for a type that asks no endpoint.
[[nodiscard]] constexpr std::string_view token_endpoint_name(TokenEndpoint endpoint, std::string_view type) noexcept {
  switch (endpoint) {
    case TokenEndpoint::kImds:
      return "IMDS";
    case TokenEndpoint::kAppService:
      if (type == "function_app") return "Functions identity endpoint (IDENTITY_ENDPOINT)";
      if (type == "container_app") return "Container Apps identity endpoint (IDENTITY_ENDPOINT)";
      return "App Service identity endpoint (IDENTITY_ENDPOINT)";
    case TokenEndpoint::kArcHimds:
      return "Arc HIMDS";
    case TokenEndpoint::kWorkloadIdentity:
      return "AKS workload identity (token exchange at AAD)";
    case TokenEndpoint::kNone:
      break;
  }
  return {};
}

}  // namespace misim
