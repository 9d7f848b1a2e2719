// RandomStream: an independent pseudo-random stream per (seed, entity, purpose).
//
// Every entity draws from its own streams, keyed by the run's seed, the entity's id and what the
// draws are for, so adding an entity (or a purpose) leaves every other stream's draws unchanged.
// A stream's state is derived from the key by hashing it through SplitMix64 (the seeding Vigna
// recommends for xoshiro); the generator is xoshiro256++ (Blackman & Vigna 2019, period 2^256-1),
// chosen over a counter-based generator for speed: streams from distinct keys start at unrelated
// points of a 2^256 cycle, so overlap within a run is negligible. Why not std::mt19937 with
// std::*_distribution: the distributions' output differs between standard libraries.
//
//   RandomStream arrivals(seed, vm_id, purpose("workload.arrivals"));
//   double u = arrivals.uniform01();
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

namespace misim {

__extension__ using Uint128 = unsigned __int128;  // g++ and clang both have it; -Wpedantic is told

/// A stable 64-bit id for a purpose name (FNV-1a), usable at compile time.
[[nodiscard]] constexpr std::uint64_t purpose(std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// SplitMix64's output function: a bijective 64-bit mixer.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class RandomStream {
 public:
  using result_type = std::uint64_t;  // a UniformRandomBitGenerator, usable with Boost.Random

  RandomStream(std::uint64_t seed, std::uint64_t entity, std::uint64_t purpose_id) noexcept {
    // Hash the key to one 64-bit value, then expand it with SplitMix64 into the 256-bit state.
    std::uint64_t k = mix64(seed + 0x9e3779b97f4a7c15ULL);
    k = mix64(k ^ (entity + 0x632be59bd9b4e019ULL));
    k = mix64(k ^ (purpose_id + 0x8cb92ba72f3d8dd7ULL));
    for (auto& word : state_) {
      k += 0x9e3779b97f4a7c15ULL;
      word = mix64(k);
    }
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// The next 64 random bits (xoshiro256++).
  result_type operator()() noexcept {
    const std::uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform on [0, 1) with 53 random bits.
  double uniform01() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// Uniform on (0, 1]: safe to take the logarithm of.
  double uniform_open0() noexcept { return static_cast<double>(((*this)() >> 11) + 1) * 0x1.0p-53; }

  /// Uniform integer in [0, n) without modulo bias (Lemire's multiply-shift with rejection).
  std::uint64_t below(std::uint64_t n) noexcept {
    if (n == 0) return 0;
    for (;;) {
      const Uint128 m = static_cast<Uint128>((*this)()) * n;
      const auto low = static_cast<std::uint64_t>(m);
      if (low >= n || low >= (0 - n) % n) return static_cast<std::uint64_t>(m >> 64);
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace misim
