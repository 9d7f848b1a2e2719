// Running the misim binary from the sweep tests, and reading what a sweep wrote.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "scratch.hpp"

namespace misim::testing_sweep {

inline const std::string kStormSweep = MISIM_SOURCE_DIR "/tests/sweep/data/storm.sweep.yaml";
inline const std::string kStormScenario = MISIM_SOURCE_DIR "/scenarios/capacity/scale-out-storm.yaml";

struct Outcome {
  int exit_code;
  std::string output;  // stdout and stderr together
};

/// Runs `command` through the shell with stderr joined to stdout.
inline Outcome run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (pipe != nullptr && std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline Outcome misim(const std::string& args) { return run_command(std::string(MISIM_CLI) + " " + args); }

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The files a finished sweep writes, by name.
inline const std::array<const char*, 4> kResultFiles = {"results.csv", "runs.csv", "results.json", "report.html"};

}  // namespace misim::testing_sweep
