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

void Fingerprint::flush() {
  XXH3_64bits_update(&state_->xxh, block_.data(), used_);
  used_ = 0;
}

std::uint64_t Fingerprint::digest() const {
  // The pending block is hashed into a copy, so asking for the digest does not change the state.
  XXH3_state_t copy;
  XXH3_copyState(&copy, &state_->xxh);
  XXH3_64bits_update(&copy, block_.data(), used_);
  return XXH3_64bits_digest(&copy);
}

std::string Fingerprint::hex() const { return to_hex64(digest()); }

std::string to_hex64(std::uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace misim
