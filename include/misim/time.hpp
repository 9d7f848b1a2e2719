// Simulated time, durations and rates.
//
// Simulated time is an integer count of nanoseconds since the start of a run (int64: about 292
// years of range), so arithmetic on it is exact and identical on every compiler. Scenario files
// write durations with a unit (`250us`, `5ms`, `2s`, `30m`, `24h`, `90d`) and rates as a count per
// unit (`20/s`, `1/min`, `3/h`); anything else is rejected with a message saying what is expected.
//
//   SimTime t = *parse_duration("1.5s");   // 1'500'000'000
//   format_duration(t);                    // "1500ms"
//   Rate r = *parse_rate("20/s");           // r.per_second == 20
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "misim/result.hpp"

namespace misim {

/// A point in simulated time or a duration, in nanoseconds.
using SimTime = std::int64_t;

inline constexpr SimTime kNanosecond = 1;
inline constexpr SimTime kMicrosecond = 1'000;
inline constexpr SimTime kMillisecond = 1'000'000;
inline constexpr SimTime kSecond = 1'000'000'000;
inline constexpr SimTime kMinute = 60 * kSecond;
inline constexpr SimTime kHour = 60 * kMinute;
inline constexpr SimTime kDay = 24 * kHour;
/// Later than any event: "run until the queue is empty".
inline constexpr SimTime kForever = INT64_MAX;

/// std::llround(ns), without the library call for the values a model draws (0 <= ns < 2^62):
/// every call of a fleet rounds its next arrival. The same result for every input: for such ns,
/// ns - trunc(ns) is exact (Sterbenz's lemma), so comparing it with one half rounds halves away
/// from zero, as llround does; other values (negative, huge, NaN) go to llround itself.
[[nodiscard]] inline SimTime round_ns(double ns) noexcept {
  if (!(ns >= 0.0 && ns < 0x1p62)) return std::llround(ns);
  const auto whole = static_cast<SimTime>(ns);
  return whole + (ns - static_cast<double>(whole) >= 0.5 ? 1 : 0);
}

/// Seconds as a double, for reporting.
[[nodiscard]] constexpr double to_seconds(SimTime t) noexcept { return static_cast<double>(t) / 1e9; }
/// Milliseconds as a double, for reporting.
[[nodiscard]] constexpr double to_millis(SimTime t) noexcept { return static_cast<double>(t) / 1e6; }

/// Parses `<number><unit>` with unit ns, us, ms, s, m (minutes), min, h or d. The number may have
/// a decimal fraction (`1.5s`) as long as the result is a whole number of nanoseconds. Negative
/// values, missing units and overflow are errors.
Result<SimTime> parse_duration(std::string_view text);

/// The shortest exact text for a duration that parse_duration reads back: `90d`, `250us`, `1.5s`.
std::string format_duration(SimTime duration);

/// A wall-clock style stamp for narration: `02:00:00.000`, or `3d 02:00:00.000` past a day.
std::string format_clock(SimTime time);

/// Events per unit of time.
struct Rate {
  double per_second = 0.0;
  /// Mean time between events in nanoseconds (infinite rates are rejected by the parser).
  [[nodiscard]] double mean_interval_ns() const noexcept { return 1e9 / per_second; }
  friend bool operator==(const Rate&, const Rate&) = default;
};

/// Parses `<number>/<unit>` with unit ms, s, sec, m, min, h or d, e.g. `20/s`, `1/min`, `0.5/h`,
/// or `<number>/<duration>` such as `1/10min`.
Result<Rate> parse_rate(std::string_view text);

/// A readable rate that parse_rate reads back, in the unit that gives a number of at least 1.
std::string format_rate(Rate rate);

}  // namespace misim
