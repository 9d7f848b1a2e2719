// ProgressLine: one self-rewriting status line on stderr for long runs (simulated time, events
// per second, time left), shown only when stderr is a terminal and --quiet is not given.
#pragma once

#include <chrono>
#include <cstdint>

#include "misim/time.hpp"

namespace misim::cli {

class ProgressLine {
 public:
  ProgressLine(bool enabled, SimTime duration);
  /// Redraws at most a few times a second.
  void update(SimTime now, std::uint64_t events);
  /// Clears the line.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  SimTime duration_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace misim::cli
