// What misim's events mean beyond their fields: facts of the model (sim/model/token_path.cpp)
// that converters and `misim trace stats` rely on to tell records apart.
#pragma once

#include <cstdint>

#include "misim/trace_event.hpp"

namespace misim {

inline constexpr std::uint16_t kHttpOk = 200;
inline constexpr std::uint16_t kHttpTooManyRequests = 429;
inline constexpr std::uint16_t kHttpServiceUnavailable = 503;

/// An attempt the endpoint turned away for its rate or concurrency limit: answered 429 at the
/// instant it was sent, where an admitted attempt takes the endpoint's latency (and only admitted
/// ones count in the endpoint's latency statistics).
[[nodiscard]] constexpr bool rejected_at_endpoint(const TraceEvent& attempt) noexcept {
  return attempt.status == kHttpTooManyRequests && attempt.time == attempt.begin;
}

/// A station visit or rejection of a token request's attempt (it names the attempt's host); the
/// others are customers of plain stage workloads (`stage:`), which summary.json counts as
/// requests answered 200 (served) or 503 (turned away).
[[nodiscard]] constexpr bool of_token_request(const TraceEvent& visit) noexcept { return visit.resource != kNoEntity; }

}  // namespace misim
