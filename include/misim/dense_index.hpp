// DenseIndex: numbers 64-bit keys 0, 1, 2, ... in the order they are first seen, for models that
// keep one record per key in a vector (the token path's access pairs, the report's tracks).
//
// An open addressing table of 16-byte slots with linear probing (Knuth, TAOCP vol. 3, 6.4,
// Algorithm L) and Fibonacci hashing (the key times 2^64 / phi, its top bits the slot). A
// std::unordered_map allocated a node of its own for every key: at a million VMs, three million
// nodes built one allocation at a time, about 40 bytes a key with its bucket, and every lookup a
// pointer chase (docs/performance.md, "Session 8"). Keys are never removed: the records they number stay.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace misim {

class DenseIndex {
 public:
  /// The index of `key`, and whether it is new: a new key gets `next` (the caller's record count).
  std::pair<std::uint32_t, bool> find_or_add(std::uint64_t key, std::uint32_t next) {
    if ((size_ + 1) * kMaxLoadDen > slots_.size() * kMaxLoadNum) grow(size_ + 1);
    for (std::size_t s = home(key);; s = (s + 1) & mask_) {
      Slot& slot = slots_[s];
      if (slot.value == kFree) {
        slot = Slot{key, next};
        ++size_;
        return {next, true};
      }
      if (slot.key == key) return {slot.value, false};
    }
  }

  /// The index of `key`, or kAbsent.
  [[nodiscard]] std::uint32_t find(std::uint64_t key) const noexcept {
    if (slots_.empty()) return kAbsent;
    for (std::size_t s = home(key);; s = (s + 1) & mask_) {
      const Slot& slot = slots_[s];
      if (slot.value == kFree) return kAbsent;
      if (slot.key == key) return slot.value;
    }
  }

  /// Starts loading the slot where a lookup of `key` begins: a caller that knows its next keys
  /// overlaps their cache misses (reserve first, so that the table does not move meanwhile).
  void prefetch(std::uint64_t key) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(key)]);
  }

  /// Room for `keys` keys without growing.
  void reserve(std::size_t keys) {
    if (keys * kMaxLoadDen > slots_.size() * kMaxLoadNum) grow(keys);
  }
  void clear() noexcept {
    slots_.clear();
    mask_ = 0;
    shift_ = 64;
    size_ = 0;
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  static constexpr std::uint32_t kAbsent = UINT32_MAX;

 private:
  struct Slot {
    std::uint64_t key;
    std::uint32_t value;  // kFree in an empty slot: the caller's indices stay below it
  };
  static constexpr std::uint32_t kFree = UINT32_MAX;
  // At most 3 slots in 4 used: linear probing then takes about 2.5 probes to find a key and 8.5
  // to miss one (Knuth, 6.4, (42)), and three million keys fit 2^22 slots, 64 MiB.
  static constexpr std::size_t kMaxLoadNum = 3;
  static constexpr std::size_t kMaxLoadDen = 4;

  [[nodiscard]] std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void grow(std::size_t keys) {
    std::size_t capacity = 16;
    int bits = 4;
    while (keys * kMaxLoadDen > capacity * kMaxLoadNum) {
      capacity *= 2;
      ++bits;
    }
    std::vector<Slot> old(capacity, Slot{0, kFree});
    old.swap(slots_);
    mask_ = capacity - 1;
    shift_ = 64 - bits;
    for (const Slot& slot : old) {
      if (slot.value == kFree) continue;
      std::size_t s = home(slot.key);
      while (slots_[s].value != kFree) s = (s + 1) & mask_;
      slots_[s] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace misim
