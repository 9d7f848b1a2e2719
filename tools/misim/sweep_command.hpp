// `misim sweep FILE` and its short form `misim run FILE --replications N` (one point): both run
// replications in local threads, or across MPI ranks under mpirun/srun, journal each run, and
// write results.csv, runs.csv, results.json and report.html atomically (docs/sweeps.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "misim/time.hpp"

namespace misim::cli {

/// `misim run FILE --replications N [--metric PATH]...` with run's --seed, --set, --duration, --out.
struct ReplicationRequest {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> sets;
  std::optional<SimTime> duration;
  std::size_t replications = 0;
  std::vector<std::string> metrics;  // default: the latency of token acquisition and the expectations' metrics
  std::string out;
  bool quiet = false;
};

/// Runs the replications; returns the exit status (0 all ran, 1 some failed, 2 bad input, 130 interrupted).
int run_replications(const ReplicationRequest& request);

}  // namespace misim::cli
