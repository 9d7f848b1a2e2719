// Pieces shared by the benchmark families: the one exponential draw that every benchmark and
// every hand-written baseline uses, and the Erlang C formula the M/M/c benchmark checks against.
//
// The draw is the formula of Distribution::exponential followed by the Station's rounding to whole
// nanoseconds (sim/engine/distribution.cpp, sim/engine/station.cpp), so a baseline that calls it in
// the same order as misim draws the same times from the same RandomStream.
#pragma once

#include <cmath>

#include "misim/random.hpp"
#include "misim/time.hpp"

namespace misim::bench {

/// Exp(mean) nanoseconds by inverse transform, rounded to a whole nanosecond.
inline SimTime exponential_ns(RandomStream& stream, double mean) {
  const double x = -mean * std::log(stream.uniform_open0());
  return x > 0.0 ? std::llround(x) : 0;
}

/// Probability that an arrival waits in an M/M/c queue with offered load a = lambda / mu < c
/// (Erlang's C formula).
inline double erlang_c(int servers, double offered_load) {
  double term = 1.0;  // a^k / k!
  double below = 0.0;
  for (int k = 0; k < servers; ++k) {
    below += term;
    term *= offered_load / (k + 1);
  }
  const double top = term * servers / (servers - offered_load);
  return top / (below + top);
}

/// Mean wait in queue of M/M/c: C(c, a) * mean_service / (c - a).
inline double erlang_c_mean_wait(int servers, double offered_load, double mean_service) {
  return erlang_c(servers, offered_load) * mean_service / (servers - offered_load);
}

}  // namespace misim::bench
