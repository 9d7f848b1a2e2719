#include "sweep_progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace misim::cli {

namespace {

constexpr int kBarWidth = 30;

std::string time_left(double seconds) {
  char buf[32];
  if (seconds < 90) {
    std::snprintf(buf, sizeof buf, "~%.0fs left", seconds);
  } else if (seconds < 5400) {
    std::snprintf(buf, sizeof buf, "~%.0fmin left", seconds / 60);
  } else {
    std::snprintf(buf, sizeof buf, "~%.1fh left", seconds / 3600);
  }
  return buf;
}

}  // namespace

SweepProgress::SweepProgress(bool enabled)
    : enabled_(enabled && ::isatty(STDERR_FILENO) == 1), start_(Clock::now()), last_draw_(start_) {}

void SweepProgress::update(const SweepCoordinator::Counts& c) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double fraction = c.wanted > 0 ? static_cast<double>(c.finished) / static_cast<double>(c.wanted) : 0.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                          std::string(static_cast<std::size_t>(kBarWidth - filled), '.');
  // Time left from this session's pace: runs taken from the journal cost nothing.
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::size_t left = c.wanted - c.finished;
  const std::string eta = c.finished_here > 0
                              ? time_left(elapsed / static_cast<double>(c.finished_here) * static_cast<double>(left))
                              : std::string("estimating");
  std::fprintf(stderr, "\r\033[K[%s] %zu/%zu runs  %zu running  %zu failed  %s", bar.c_str(), c.finished, c.wanted,
               c.running, c.failed, eta.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void SweepProgress::finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace misim::cli
