// ClientProfile: how an application's SDK behaves when it needs a managed-identity token: whether
// it caches, when it refreshes ahead of expiry, and how it retries each kind of failure.
//
// The built-in profiles follow the SDKs' published behaviour (azure-facts.md, "SDK client
// behaviour"; docs/model.md cites each number). A scenario may define its own.
//
//   const ClientProfile& msal = *builtin_client_profile("msal");
//   std::optional<SimTime> d = msal.retry_delay(429, 0);   // 1 s before the first retry
//   SimTime refresh = msal.refresh_at(issued, expires);    // halfway through a 24 h token
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "misim/time.hpp"

namespace misim {

/// When a cached token is renewed ahead of its expiry.
enum class RefreshPolicy : std::uint8_t {
  kAtExpiry,      // only when it has expired
  kHalfLifetime,  // MSAL: at half the lifetime when the lifetime is over a threshold (azure-facts.md:26)
  kBeforeExpiry,  // azure-identity: within a window before expiry, rate-limited (azure-facts.md:27)
};

/// HTTP statuses from `low` to `high` inclusive.
struct StatusRange {
  int low;
  int high;
  [[nodiscard]] constexpr bool contains(int status) const noexcept { return status >= low && status <= high; }
};

/// The retries a client makes after failures with one of `statuses`: before retry k it waits
/// `delays[k]`; after the last one it gives up.
struct RetryRule {
  std::vector<StatusRange> statuses;
  std::vector<SimTime> delays;
};

struct ClientProfile {
  std::string name;
  /// Caches tokens in memory per (identity, audience) (azure-facts.md:30). Without a cache every
  /// call asks the endpoint.
  bool caches_tokens = true;
  RefreshPolicy refresh = RefreshPolicy::kHalfLifetime;
  /// kHalfLifetime applies only to tokens living longer than this (MSAL: 7200 s).
  SimTime half_lifetime_threshold = 2 * kHour;
  /// kBeforeExpiry: start refreshing this long before expiry (azure-identity: 300 s).
  SimTime refresh_window = 300 * kSecond;
  /// kBeforeExpiry: at most one refresh attempt per this interval (azure-identity: 30 s).
  SimTime min_refresh_interval = 30 * kSecond;
  /// Rules are tried in order; the first whose statuses match decides. No match: no retry.
  std::vector<RetryRule> retries;
  /// A 429 carrying Retry-After waits at least that long before the next retry.
  bool honours_retry_after = true;
  /// Azure.Identity (.NET) 1.11: first a probe request without the Metadata header, expecting a
  /// 400, with its own short timeout (azure-facts.md:29).
  bool probe_first = false;
  SimTime probe_timeout = kSecond;
  /// How long the client waits for an answer before treating the request as failed (a timeout
  /// counts as status 408 for retry rules).
  SimTime request_timeout = 30 * kSecond;

  /// The delay before retry number `retry` (0 for the first) after `status`, or nothing when the
  /// profile does not retry (again).
  [[nodiscard]] std::optional<SimTime> retry_delay(int status, std::size_t retry) const;
  /// When a token issued at `issued` and expiring at `expires` should be renewed.
  [[nodiscard]] SimTime refresh_at(SimTime issued, SimTime expires) const noexcept;
};

/// A built-in profile by name: imds-guidance, msal, azure-identity-python, azure-identity-js,
/// azure-identity-dotnet, none. Null for an unknown name.
[[nodiscard]] const ClientProfile* builtin_client_profile(std::string_view name) noexcept;
/// The names of the built-in profiles, in a fixed order.
[[nodiscard]] const std::vector<std::string_view>& builtin_client_profile_names() noexcept;

}  // namespace misim
