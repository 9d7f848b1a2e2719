// Parsing and printing of durations and rates. The parsers work on exact decimal digits, not on
// floating point, so "0.1s" is exactly 100'000'000 ns on every platform.
#include "misim/time.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace misim {

namespace {

__extension__ using Uint128 = unsigned __int128;  // exact products of up to 64-bit factors

struct Unit {
  std::string_view name;
  SimTime ns;
};

constexpr Unit kDurationUnits[] = {{"ns", kNanosecond}, {"us", kMicrosecond}, {"ms", kMillisecond}, {"s", kSecond},
                                   {"m", kMinute},      {"min", kMinute},     {"h", kHour},         {"d", kDay}};
constexpr std::string_view kDurationUnitList = "ns, us, ms, s, m (minutes), h or d";

constexpr Unit kRateUnits[] = {{"ms", kMillisecond}, {"s", kSecond}, {"sec", kSecond}, {"m", kMinute},
                               {"min", kMinute},     {"h", kHour},   {"d", kDay}};
constexpr std::string_view kRateUnitList = "ms, s, min, h or d";

Error fail(std::string message) { return Error{std::move(message), {}}; }

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

/// A non-negative decimal number split into its digits: value = mantissa / 10^scale.
struct Decimal {
  std::uint64_t mantissa = 0;
  int scale = 0;
};

/// Reads `digits[.digits]` from the front of `text`; returns the characters consumed (0: none).
std::size_t read_decimal(std::string_view text, Decimal& out, bool& overflow) {
  std::size_t i = 0;
  bool any_digit = false;
  bool seen_point = false;
  overflow = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (out.mantissa > (std::numeric_limits<std::uint64_t>::max() - 9) / 10 || out.scale > 18) {
      overflow = true;
      continue;
    }
    out.mantissa = out.mantissa * 10 + static_cast<std::uint64_t>(c - '0');
    if (seen_point) ++out.scale;
  }
  return any_digit ? i : 0;
}

/// A time of day as a duration from midnight: `09:00`, `09:00:30`, `23:59:59.5` (hours may pass
/// 24 for later days: `33:00` is 09:00 on the second day). Timelines read better with clock times.
Result<SimTime> parse_clock(std::string_view text, const std::string& shown) {
  const auto bad = [&] {
    return fail("time " + shown + " is not a clock time; write HH:MM or HH:MM:SS (e.g. 09:00, 13:30:15)");
  };
  SimTime total = 0;
  std::size_t pos = 0;
  for (int field = 0; field < 3 && pos <= text.size(); ++field) {
    std::size_t end = text.find(':', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(pos, end - pos);
    if (part.empty() || (field > 0 && (part.size() < 2 || part[0] < '0' || part[0] > '5'))) return bad();
    if (field < 2) {
      std::int64_t value = 0;
      for (char c : part) {
        if (c < '0' || c > '9') return bad();
        value = value * 10 + (c - '0');
        // At most a million hours (114 years), so hours * kHour fits a SimTime (found by fuzzing).
        if (value > 1'000'000) return bad();
      }
      if (field == 1 && (part.size() != 2 || value > 59)) return bad();
      total += value * (field == 0 ? kHour : kMinute);
    } else {
      Result<SimTime> seconds = parse_duration(std::string(part) + "s");
      if (!seconds || *seconds >= kMinute || part.size() < 2) return bad();
      total += *seconds;
    }
    if (end == text.size()) return field >= 1 ? Result<SimTime>(total) : bad();
    pos = end + 1;
  }
  return bad();
}

}  // namespace

Result<SimTime> parse_duration(std::string_view text) {
  const std::string shown = quoted(text);
  if (text.empty()) return fail("empty duration; expected a number with a unit such as 5ms, 2s or 24h");
  if (text.front() == '-') return fail("duration " + shown + " is negative; durations are >= 0");
  Decimal number;
  bool overflow = false;
  const std::size_t used = read_decimal(text, number, overflow);
  if (used == 0) {
    return fail("duration " + shown + " does not start with a number; write e.g. 250us, 5ms, 2s, 30m, 24h, 90d");
  }
  const std::string_view unit = text.substr(used);
  if (!unit.empty() && unit.front() == ':') return parse_clock(text, shown);
  if (unit.empty()) {
    return fail("duration " + shown + " has no unit; add one of " + std::string(kDurationUnitList) + " (e.g. " +
                std::string(text) + "s)");
  }
  for (const Unit& u : kDurationUnits) {
    if (u.name != unit) continue;
    if (overflow) return fail("duration " + shown + " has too many digits");
    // value = mantissa * u.ns / 10^scale, exactly.
    std::uint64_t divisor = 1;
    for (int i = 0; i < number.scale; ++i) divisor *= 10;
    const Uint128 scaled = static_cast<Uint128>(number.mantissa) * static_cast<Uint128>(u.ns);
    if (scaled % divisor != 0) return fail("duration " + shown + " is not a whole number of nanoseconds");
    const Uint128 ns = scaled / divisor;
    if (ns > static_cast<Uint128>(std::numeric_limits<SimTime>::max() / 2)) {
      return fail("duration " + shown + " is too long (the limit is about 146 years)");
    }
    return static_cast<SimTime>(ns);
  }
  return fail("duration " + shown + " has unknown unit '" + std::string(unit) + "'; expected " +
              std::string(kDurationUnitList));
}

std::string format_duration(SimTime duration) {
  if (duration == 0) return "0s";
  std::string sign;
  Uint128 magnitude = duration < 0 ? static_cast<Uint128>(-(duration + 1)) + 1 : static_cast<Uint128>(duration);
  if (duration < 0) sign = "-";
  static constexpr Unit kPrint[] = {{"d", kDay},          {"h", kHour},         {"m", kMinute},     {"s", kSecond},
                                    {"ms", kMillisecond}, {"us", kMicrosecond}, {"ns", kNanosecond}};
  // An exact whole number of the largest unit that divides it...
  for (const Unit& u : kPrint) {
    if (magnitude % static_cast<Uint128>(u.ns) == 0) {
      return sign + std::to_string(static_cast<std::uint64_t>(magnitude / static_cast<Uint128>(u.ns))) +
             std::string(u.name);
    }
  }
  return sign + std::to_string(static_cast<std::uint64_t>(magnitude)) + "ns";
}

std::string format_clock(SimTime time) {
  const char* sign = time < 0 ? "-" : "";
  const std::uint64_t t = time < 0 ? static_cast<std::uint64_t>(-(time + 1)) + 1 : static_cast<std::uint64_t>(time);
  const std::uint64_t days = t / kDay;
  const std::uint64_t rest = t % kDay;
  char buf[64];
  const auto h = static_cast<unsigned>(rest / kHour);
  const auto m = static_cast<unsigned>(rest % kHour / kMinute);
  const auto s = static_cast<unsigned>(rest % kMinute / kSecond);
  const auto ms = static_cast<unsigned>(rest % kSecond / kMillisecond);
  if (days > 0) {
    std::snprintf(buf, sizeof buf, "%s%llud %02u:%02u:%02u.%03u", sign, static_cast<unsigned long long>(days), h, m, s,
                  ms);
  } else {
    std::snprintf(buf, sizeof buf, "%s%02u:%02u:%02u.%03u", sign, h, m, s, ms);
  }
  return buf;
}

Result<Rate> parse_rate(std::string_view text) {
  const std::string shown = quoted(text);
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return fail("rate " + shown + " needs a unit after '/'; write e.g. 20/s, 1/min, 3/h");
  }
  const std::string_view count = text.substr(0, slash);
  const std::string_view unit = text.substr(slash + 1);
  if (!count.empty() && count.front() == '-') return fail("rate " + shown + " is negative; rates are >= 0");
  // Plain decimal digits only (no sign, exponent, inf or nan), then the standard conversion.
  bool any_digit = false;
  bool seen_point = false;
  bool plain = !count.empty();
  for (const char c : count) {
    if (c >= '0' && c <= '9') {
      any_digit = true;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      plain = false;
    }
  }
  double value = 0.0;
  if (plain && any_digit) {
    const auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), value);
    plain = ec == std::errc() && ptr == count.data() + count.size();
  }
  if (!plain || !any_digit) {
    return fail("rate " + shown + " must be a number, '/', and a unit, e.g. 20/s, 1/min, 0.5/h");
  }
  for (const Unit& u : kRateUnits) {
    if (u.name != unit) continue;
    Rate rate{u.ns == kSecond ? value : value * (static_cast<double>(kSecond) / static_cast<double>(u.ns))};
    if (!std::isfinite(rate.per_second) || rate.per_second > 1e12) return fail("rate " + shown + " is too high");
    return rate;
  }
  // A count per a duration with its own number: `1/10min` is one every ten minutes.
  if (!unit.empty() && unit.front() >= '0' && unit.front() <= '9') {
    const Result<SimTime> span = parse_duration(unit);
    if (!span) return fail("rate " + shown + ": " + span.error().message);
    if (*span <= 0) return fail("rate " + shown + " is per zero time");
    Rate rate{value * static_cast<double>(kSecond) / static_cast<double>(*span)};
    if (!std::isfinite(rate.per_second) || rate.per_second > 1e12) return fail("rate " + shown + " is too high");
    return rate;
  }
  return fail("rate " + shown + " has unknown unit '" + std::string(unit) + "'; expected " +
              std::string(kRateUnitList) + ", or a duration such as 10min");
}

std::string format_rate(Rate rate) {
  // The shortest fixed-point digits that read back to the same double; in the most readable unit
  // whose text parses back to exactly this rate, else per second (exact by construction).
  const auto text_in = [](double per_unit, std::string_view unit) {
    char buf[400];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, per_unit, std::chars_format::fixed);
    std::string out(buf, ec == std::errc() ? ptr : buf);
    out += '/';
    out += unit;
    return out;
  };
  static constexpr Unit kPrint[] = {{"s", kSecond}, {"min", kMinute}, {"h", kHour}, {"d", kDay}};
  for (const Unit& u : kPrint) {
    const double per_unit = rate.per_second * (static_cast<double>(u.ns) / static_cast<double>(kSecond));
    if (per_unit < 1.0 && u.ns != kDay) continue;
    std::string text = text_in(per_unit, u.name);
    const Result<Rate> back = parse_rate(text);
    if (back && back->per_second == rate.per_second) return text;
    break;
  }
  return text_in(rate.per_second, "s");
}

}  // namespace misim
