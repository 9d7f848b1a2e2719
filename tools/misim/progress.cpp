#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace misim::cli {

ProgressLine::ProgressLine(bool enabled, SimTime duration)
    : enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      duration_(duration),
      start_(Clock::now()),
      last_draw_(start_) {}

void ProgressLine::update(SimTime now, std::uint64_t events) {
  if (!enabled_) return;
  const Clock::time_point t = Clock::now();
  if (t - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = t;
  const double elapsed = std::chrono::duration<double>(t - start_).count();
  const double fraction = duration_ > 0 ? static_cast<double>(now) / static_cast<double>(duration_) : 1.0;
  const double left = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  const double rate = elapsed > 0 ? static_cast<double>(events) / elapsed : 0.0;
  std::fprintf(stderr, "\r\033[K[%3.0f%%] sim %s  %.3g events  %.3g events/s  ~%.0fs left", 100.0 * fraction,
               format_clock(now).c_str(), static_cast<double>(events), rate, left);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace misim::cli
