// SweepProgress: one self-rewriting line on stderr for a sweep (a bar, runs done of wanted, runs
// in flight, failures, time left), only when stderr is a terminal and --quiet is not given.
#pragma once

#include <chrono>

#include "sweep_coordinator.hpp"

namespace misim::cli {

class SweepProgress {
 public:
  explicit SweepProgress(bool enabled);
  /// Redraws at most a few times a second.
  void update(const SweepCoordinator::Counts& counts);
  /// Clears the line.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace misim::cli
