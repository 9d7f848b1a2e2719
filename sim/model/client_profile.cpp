// The built-in client SDK profiles. Every number cites azure-facts.md (see docs/model.md).
#include "misim/client_profile.hpp"

#include <array>

namespace misim {

namespace {

constexpr StatusRange k5xx{500, 599};

std::vector<SimTime> seconds(std::initializer_list<double> values) {
  std::vector<SimTime> out;
  for (double v : values) out.push_back(static_cast<SimTime>(v * 1000.0) * kMillisecond);
  return out;
}

ClientProfile imds_guidance() {
  // azure-facts.md:17, :21: retry 404, 410, 429 and 5xx (a timeout counts as updating, 408 here);
  // 5 retries, exponential, about 0, 2, 6, 14, 30 s. Caches like a careful application would.
  ClientProfile p;
  p.name = "imds-guidance";
  p.refresh = RefreshPolicy::kHalfLifetime;
  p.honours_retry_after = false;
  p.retries = {{{{404, 404}, {408, 408}, {410, 410}, {429, 429}, k5xx}, seconds({0, 2, 6, 14, 30})}};
  return p;
}

ClientProfile msal() {
  // azure-facts.md:25: 410 gets 7 linear retries 10 s apart; 404, 408, 429 and 5xx get 3
  // exponential retries from 1 s to at most 4 s (1, 2, 4 s). Proactive refresh at half the
  // lifetime of tokens over 2 h (azure-facts.md:26).
  ClientProfile p;
  p.name = "msal";
  p.refresh = RefreshPolicy::kHalfLifetime;
  p.retries = {{{{410, 410}}, seconds({10, 10, 10, 10, 10, 10, 10})},
               {{{404, 404}, {408, 408}, {429, 429}, k5xx}, seconds({1, 2, 4})}};
  return p;
}

ClientProfile azure_identity_python() {
  // azure-facts.md:27: refresh within 300 s of expiry, at most once per 30 s; retries total 5 with
  // backoff factor 0.8 (since 1.16.0) on 404, 429 and 5xx; connect timeout 2 s.
  ClientProfile p;
  p.name = "azure-identity-python";
  p.refresh = RefreshPolicy::kBeforeExpiry;
  p.honours_retry_after = true;
  p.request_timeout = 2 * kSecond;
  p.retries = {{{{404, 404}, {408, 408}, {429, 429}, k5xx}, seconds({0.8, 1.6, 3.2, 6.4, 12.8})}};
  return p;
}

ClientProfile azure_identity_js() {
  // azure-facts.md:28: 5 retries, starting at 800 ms, doubling.
  ClientProfile p;
  p.name = "azure-identity-js";
  p.refresh = RefreshPolicy::kBeforeExpiry;
  p.retries = {{{{404, 404}, {408, 408}, {410, 410}, {429, 429}, k5xx}, seconds({0.8, 1.6, 3.2, 6.4, 12.8})}};
  return p;
}

ClientProfile azure_identity_dotnet() {
  // azure-facts.md:29: a probe without the Metadata header (1 s timeout) first, then retries at
  // about 0.8, 1.6, 3.2, 6.4, 12.8 s.
  ClientProfile p = azure_identity_js();
  p.name = "azure-identity-dotnet";
  p.probe_first = true;
  p.probe_timeout = kSecond;
  return p;
}

ClientProfile none() {
  // No cache and no retry: every call asks the endpoint, the worst case for IMDS throttling.
  ClientProfile p;
  p.name = "none";
  p.caches_tokens = false;
  p.refresh = RefreshPolicy::kAtExpiry;
  p.honours_retry_after = false;
  return p;
}

const std::array<ClientProfile, 6>& builtins() {
  static const std::array<ClientProfile, 6> profiles = {
      imds_guidance(), msal(), azure_identity_python(), azure_identity_js(), azure_identity_dotnet(), none()};
  return profiles;
}

}  // namespace

std::optional<SimTime> ClientProfile::retry_delay(int status, std::size_t retry) const {
  for (const RetryRule& rule : retries) {
    for (const StatusRange& range : rule.statuses) {
      if (!range.contains(status)) continue;
      if (retry < rule.delays.size()) return rule.delays[retry];
      return std::nullopt;
    }
  }
  return std::nullopt;
}

SimTime ClientProfile::refresh_at(SimTime issued, SimTime expires) const noexcept {
  const SimTime lifetime = expires - issued;
  switch (refresh) {
    case RefreshPolicy::kAtExpiry:
      return expires;
    case RefreshPolicy::kHalfLifetime:
      return lifetime > half_lifetime_threshold ? issued + lifetime / 2 : expires;
    case RefreshPolicy::kBeforeExpiry:
      return expires - refresh_window > issued ? expires - refresh_window : issued;
  }
  return expires;
}

const ClientProfile* builtin_client_profile(std::string_view name) noexcept {
  for (const ClientProfile& p : builtins()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const std::vector<std::string_view>& builtin_client_profile_names() noexcept {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const ClientProfile& p : builtins()) out.push_back(p.name);
    return out;
  }();
  return names;
}

}  // namespace misim
