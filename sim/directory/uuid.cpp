// Deterministic UUIDs and their text form. See include/misim/uuid.hpp.
#include "misim/uuid.hpp"

#include "fail.hpp"
#include "misim/random.hpp"

namespace misim {

using directory_detail::fail;

namespace {

constexpr char kHex[] = "0123456789abcdef";
// Where the hyphens go in 8-4-4-4-12.
constexpr bool is_hyphen_position(std::size_t i) noexcept { return i == 8 || i == 13 || i == 18 || i == 23; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid make_uuid(std::uint64_t seed, std::uint64_t key, std::uint64_t purpose_id) noexcept {
  // The same chaining as RandomStream's key hash (random.hpp), then a second word from the first.
  std::uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
  h = mix64(h ^ (key + 0x632be59bd9b4e019ULL));
  h = mix64(h ^ (purpose_id + 0x8cb92ba72f3d8dd7ULL));
  const std::uint64_t l = mix64(h + 0x9e3779b97f4a7c15ULL);
  // RFC 4122 section 4.4: version 4 in the high nibble of octet 6, variant 10 in octet 8.
  Uuid u;
  u.high = (h & ~0x000000000000f000ULL) | 0x0000000000004000ULL;
  u.low = (l & ~0xc000000000000000ULL) | 0x8000000000000000ULL;
  return u;
}

std::array<char, 36> Uuid::chars() const noexcept {
  std::array<char, 36> out{};
  int nibble = 0;  // 0 .. 31, most significant first
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (is_hyphen_position(i)) {
      out[i] = '-';
      continue;
    }
    const std::uint64_t word = nibble < 16 ? high : low;
    const int shift = 60 - 4 * (nibble % 16);
    out[i] = kHex[(word >> shift) & 0xf];
    ++nibble;
  }
  return out;
}

std::string Uuid::to_string() const {
  const std::array<char, 36> c = chars();
  return {c.data(), c.size()};
}

Result<Uuid> Uuid::parse(std::string_view text) {
  const auto bad = [&] {
    return fail("'" + std::string(text) + "' is not a GUID: expected 8-4-4-4-12 hexadecimal digits");
  };
  if (text.size() != 36) return bad();
  Uuid u;
  int nibble = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_hyphen_position(i)) {
      if (text[i] != '-') return bad();
      continue;
    }
    const int v = hex_value(text[i]);
    if (v < 0) return bad();
    std::uint64_t& word = nibble < 16 ? u.high : u.low;
    word = word << 4 | static_cast<std::uint64_t>(v);
    ++nibble;
  }
  return u;
}

}  // namespace misim
