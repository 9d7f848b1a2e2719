// Number and string formatting for the converters' text outputs (Chrome JSON, CSV, Mermaid),
// appended to an output buffer without allocating.
//
// Times are integer nanoseconds, so microseconds and milliseconds are written as exact decimals
// (1234567 ns -> "1234.567" us) rather than through a double: nothing is lost and the text is the
// same on every machine. Doubles use the shortest text that reads back to the same value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "misim/time.hpp"

namespace misim::text {

void append_integer(std::string& out, std::int64_t value);
void append_unsigned(std::string& out, std::uint64_t value);
/// Shortest round-trip text of a finite double; "0" for NaN or infinities (not valid in JSON).
void append_double(std::string& out, double value);
/// `ns` as an exact decimal in units of 10^digits ns: digits 3 gives microseconds, 6 milliseconds.
/// Trailing zeros of the fraction are dropped ("1500" us, not "1500.000").
void append_scaled(std::string& out, SimTime ns, int digits);
inline void append_micros(std::string& out, SimTime ns) { append_scaled(out, ns, 3); }
inline void append_millis(std::string& out, SimTime ns) { append_scaled(out, ns, 6); }
/// A JSON string literal (quotes included), escaping quotes, backslashes and control characters.
void append_json_string(std::string& out, std::string_view text);
/// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote or line break.
void append_csv_field(std::string& out, std::string_view text);

}  // namespace misim::text
