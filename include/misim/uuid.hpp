// Uuid: the object ids, client ids, tenant and subscription ids, and role-assignment names of the
// directory, made deterministically from the run's seed so the same scenario and seed always give
// the same ids (design.md, "Randomness"), and formatted as Azure prints them.
//
// A Uuid is 128 bits made by hashing (seed, entity key, purpose) through SplitMix64's mixer, with
// the version (4, "random") and variant (RFC 4122) bits set as RFC 4122 section 4.4 asks, so any
// parser of GUIDs accepts it. The text form is 8-4-4-4-12 lowercase hex.
//
//   Uuid object_id = make_uuid(seed, entity_key(EntityKind::kIdentity, 7), purpose("directory.object_id"));
//   object_id.to_string();  // "1b4e28ba-2fa1-41d2-883f-0016d3cca427" (for example)
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "misim/directory_ids.hpp"
#include "misim/result.hpp"

namespace misim {

struct Uuid {
  std::uint64_t high = 0;  // the first 16 hex digits
  std::uint64_t low = 0;   // the last 16 hex digits

  [[nodiscard]] constexpr bool is_nil() const noexcept { return high == 0 && low == 0; }
  friend constexpr auto operator<=>(const Uuid&, const Uuid&) noexcept = default;

  /// The 36 characters of the 8-4-4-4-12 form, without allocating.
  [[nodiscard]] std::array<char, 36> chars() const noexcept;
  /// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lowercase.
  [[nodiscard]] std::string to_string() const;
  /// Reads the 8-4-4-4-12 form, either case; anything else is an error.
  static Result<Uuid> parse(std::string_view text);
};

/// A version-4, RFC 4122 variant Uuid made from (seed, key, purpose_id) by mix64.
[[nodiscard]] Uuid make_uuid(std::uint64_t seed, std::uint64_t key, std::uint64_t purpose_id) noexcept;

/// The key of an entity for make_uuid: its kind and index, so ids of different kinds never collide.
[[nodiscard]] constexpr std::uint64_t entity_key(EntityKind kind, std::uint32_t index) noexcept {
  return (static_cast<std::uint64_t>(kind) + 1) << 32 | index;
}

}  // namespace misim
