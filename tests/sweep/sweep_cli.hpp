// Running the misim binary from the sweep tests, and reading what a sweep wrote.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "read_file.hpp"
#include "scratch.hpp"

namespace misim::testing_sweep {

inline const std::string kStormSweep = MISIM_SOURCE_DIR "/tests/sweep/data/storm.sweep.yaml";
inline const std::string kStormScenario = MISIM_SOURCE_DIR "/scenarios/capacity/scale-out-storm.yaml";

using test_support::lines_of;
using test_support::Outcome;
using test_support::run_command;

inline Outcome misim(const std::string& args) { return test_support::run_cli(args); }

/// The files a finished sweep writes, by name.
inline const std::array<const char*, 4> kResultFiles = {"results.csv", "runs.csv", "results.json", "report.html"};

}  // namespace misim::testing_sweep
