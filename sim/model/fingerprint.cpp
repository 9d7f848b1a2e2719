#include "misim/fingerprint.hpp"

// The state type is complete only with static linking declarations (it may change between
// versions, which is fine for a state that never leaves the process).
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <array>
#include <cstdio>

namespace misim {

struct Fingerprint::State {
  XXH3_state_t xxh;
};

Fingerprint::Fingerprint() : state_(std::make_unique<State>()) { XXH3_64bits_reset(&state_->xxh); }
Fingerprint::~Fingerprint() = default;
Fingerprint::Fingerprint(Fingerprint&&) noexcept = default;
Fingerprint& Fingerprint::operator=(Fingerprint&&) noexcept = default;

void Fingerprint::add(std::initializer_list<std::uint64_t> fields) {
  // Serialise explicitly as little-endian bytes: the digest must not depend on the host.
  std::array<unsigned char, 8 * 8> buffer{};
  std::size_t n = 0;
  for (std::uint64_t v : fields) {
    if (n + 8 > buffer.size()) {
      XXH3_64bits_update(&state_->xxh, buffer.data(), n);
      n = 0;
    }
    for (int i = 0; i < 8; ++i) buffer[n++] = static_cast<unsigned char>(v >> (8 * i));
  }
  XXH3_64bits_update(&state_->xxh, buffer.data(), n);
}

std::uint64_t Fingerprint::digest() const { return XXH3_64bits_digest(&state_->xxh); }

std::string Fingerprint::hex() const { return to_hex64(digest()); }

std::string to_hex64(std::uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace misim
