// Fingerprint: a running 64-bit hash of a run's observable events (XXH3 from libxxhash).
//
// Every record is fed as fixed-width little-endian integers, never as formatted text or raw
// structs with padding, so the digest is the same on every compiler, build type and machine for
// the same scenario, seed and parameters. It is computed whatever the trace level, so turning the
// trace off does not change it.
//
//   Fingerprint f;
//   f.add(kind, stage, request_id, time);
//   f.hex();   // "9f2c4e0b1a7d3e55"
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>

namespace misim {

class Fingerprint {
 public:
  Fingerprint();
  ~Fingerprint();
  Fingerprint(Fingerprint&&) noexcept;
  Fingerprint& operator=(Fingerprint&&) noexcept;
  Fingerprint(const Fingerprint&) = delete;
  Fingerprint& operator=(const Fingerprint&) = delete;

  /// Feeds one record of 64-bit fields.
  void add(std::initializer_list<std::uint64_t> fields) {
    // Records are gathered in a block and hashed a block at a time: XXH3's streaming update has a
    // fixed cost per call that would otherwise dominate for short records (measured: a quarter
    // of an M/M/c run's time when each event was its own update).
    if (used_ + fields.size() * 8 > block_.size()) flush();
    for (std::uint64_t v : fields) put(v);
  }
  [[nodiscard]] std::uint64_t digest() const;
  /// The digest as 16 lowercase hexadecimal digits.
  [[nodiscard]] std::string hex() const;

 private:
  struct State;

  void put(std::uint64_t v) noexcept {
    // Little-endian bytes whatever the host, so the digest is the same everywhere.
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    std::memcpy(block_.data() + used_, &v, 8);
    used_ += 8;
  }
  void flush();

  std::unique_ptr<State> state_;
  std::array<unsigned char, 4096> block_{};
  std::size_t used_ = 0;
};

/// 16 lowercase hex digits of a 64-bit value.
std::string to_hex64(std::uint64_t value);

}  // namespace misim
