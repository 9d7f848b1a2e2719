// NameRegistry: the scenario names of the directory's entities, interned, with a name -> entity
// index of the live ones.
//
// A million resources' names in std::string records plus a std::unordered_map would cost about
// 100 bytes a name; here the text lives once in fixed 64 KiB chunks (so a string_view into it
// stays valid for the registry's life, also after the entity is deleted) and the index is an open
// addressing table of 12-byte slots with linear probing and backward-shift deletion (Knuth, TAOCP
// vol. 3, 6.4, Algorithm R), about 35 bytes a name in all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "misim/directory_ids.hpp"

namespace misim::directory_detail {

class NameRegistry {
 public:
  /// The handle of an entity without a name.
  static constexpr std::uint32_t kNoName = UINT32_MAX;
  /// Longest name accepted (Azure's longest resource names are 260 characters; scenario names are short).
  static constexpr std::size_t kMaxLength = 255;

  NameRegistry();

  /// Interns `name` (1 .. kMaxLength bytes) for the live entity `ref` and returns the text's handle;
  /// nullopt if a live entity already has the name.
  [[nodiscard]] std::optional<std::uint32_t> claim(std::string_view name, EntityRef ref);
  /// Frees the name of a deleted entity for reuse; its text stays readable through the handle.
  void release(std::uint32_t handle) noexcept;
  [[nodiscard]] std::optional<EntityRef> find(std::string_view name) const noexcept;
  [[nodiscard]] std::string_view text(std::uint32_t handle) const noexcept;
  /// Room for `names` live names without growing the index.
  void reserve(std::size_t names);
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  struct Slot {
    std::uint32_t tag = 0;       // low 32 bits of the hash: its home slot, compared before the text
    std::uint32_t ref = kEmpty;  // packed EntityRef: kind << 29 | index
    std::uint32_t handle = 0;    // where the text is
  };
  static constexpr std::uint32_t kEmpty = UINT32_MAX;  // kind 7: never a real entity
  static constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;

  [[nodiscard]] std::uint32_t store(std::string_view name);
  [[nodiscard]] std::size_t probe(std::string_view name, std::uint64_t hash) const noexcept;
  void grow(std::size_t slots);

  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_used_ = kChunkBytes;  // bytes used in the last chunk (full: none yet)
  std::vector<Slot> slots_;               // a power of two
  std::size_t size_ = 0;
};

}  // namespace misim::directory_detail
