// The name registry: interned text in fixed chunks and an open-addressing index. See the header.
#include "name_registry.hpp"

#include <cassert>
#include <cstring>

#include "misim/random.hpp"

namespace misim::directory_detail {

namespace {

constexpr std::size_t kMinSlots = 64;
// Grow when more than 7 in 10 slots are used: linear probing stays short (Knuth: about 2 probes
// for a hit, 6 for a miss at 0.7) and the table stays under 20 bytes a name.
constexpr std::size_t kLoadNumerator = 7;
constexpr std::size_t kLoadDenominator = 10;

std::uint64_t hash_name(std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then SplitMix64's mixer for the low bits
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

std::uint32_t pack(EntityRef ref) noexcept {
  assert(ref.index < (1U << 29) && "entity index out of the name registry's range");
  return static_cast<std::uint32_t>(ref.kind) << 29 | ref.index;
}

EntityRef unpack(std::uint32_t packed) noexcept {
  return {static_cast<EntityKind>(packed >> 29), packed & ((1U << 29) - 1)};
}

// The low 32 bits of the hash: compared before the text, and (for tables up to 2^32 slots) the home
// slot, so moving entries never needs their text.
std::uint32_t tag_of(std::uint64_t hash) noexcept { return static_cast<std::uint32_t>(hash); }

}  // namespace

NameRegistry::NameRegistry() : slots_(kMinSlots) {}

std::uint32_t NameRegistry::store(std::string_view name) {
  assert(!name.empty() && name.size() <= kMaxLength);
  const std::size_t need = name.size() + 1;  // a length byte, then the characters
  if (chunk_used_ + need > kChunkBytes) {
    chunks_.push_back(std::make_unique<char[]>(kChunkBytes));
    chunk_used_ = 0;
  }
  char* at = chunks_.back().get() + chunk_used_;
  at[0] = static_cast<char>(static_cast<unsigned char>(name.size()));
  std::memcpy(at + 1, name.data(), name.size());
  const auto handle = static_cast<std::uint32_t>((chunks_.size() - 1) * kChunkBytes + chunk_used_);
  chunk_used_ += need;
  return handle;
}

std::string_view NameRegistry::text(std::uint32_t handle) const noexcept {
  if (handle == kNoName) return {};
  const char* at = chunks_[handle / kChunkBytes].get() + handle % kChunkBytes;
  return {at + 1, static_cast<unsigned char>(at[0])};
}

std::size_t NameRegistry::probe(std::string_view name, std::uint64_t hash) const noexcept {
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = tag_of(hash);
  for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.ref == kEmpty || (s.tag == tag && text(s.handle) == name)) return i;
  }
}

std::optional<std::uint32_t> NameRegistry::claim(std::string_view name, EntityRef ref) {
  if ((size_ + 1) * kLoadDenominator > slots_.size() * kLoadNumerator) grow(slots_.size() * 2);
  const std::uint64_t hash = hash_name(name);
  const std::size_t i = probe(name, hash);
  if (slots_[i].ref != kEmpty) return std::nullopt;
  const std::uint32_t handle = store(name);
  slots_[i] = Slot{tag_of(hash), pack(ref), handle};
  ++size_;
  return handle;
}

std::optional<EntityRef> NameRegistry::find(std::string_view name) const noexcept {
  if (name.empty() || name.size() > kMaxLength) return std::nullopt;
  const Slot& s = slots_[probe(name, hash_name(name))];
  if (s.ref == kEmpty) return std::nullopt;
  return unpack(s.ref);
}

void NameRegistry::release(std::uint32_t handle) noexcept {
  if (handle == kNoName) return;
  const std::string_view name = text(handle);
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = probe(name, hash_name(name));
  if (slots_[hole].ref == kEmpty || slots_[hole].handle != handle) return;  // not bound (already released)
  // Backward-shift deletion: move later members of the probe run into the hole while that keeps
  // each of them reachable from its home slot.
  for (std::size_t next = (hole + 1) & mask; slots_[next].ref != kEmpty; next = (next + 1) & mask) {
    const std::size_t home = slots_[next].tag & mask;
    const bool movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
    if (movable) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = Slot{};
  --size_;
}

void NameRegistry::grow(std::size_t slots) {
  std::vector<Slot> old(slots, Slot{});
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.ref == kEmpty) continue;
    std::size_t i = s.tag & mask;
    while (slots_[i].ref != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void NameRegistry::reserve(std::size_t names) {
  std::size_t slots = slots_.size();
  while (names * kLoadDenominator > slots * kLoadNumerator) slots *= 2;
  if (slots != slots_.size()) grow(slots);
}

}  // namespace misim::directory_detail
