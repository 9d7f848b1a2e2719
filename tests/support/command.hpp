// Running the misim binary (or any shell command) from a test and capturing what it printed.
#pragma once

#include <string>

namespace misim::test_support {

/// How a command ended and what it printed.
struct Outcome {
  int exit_code;
  std::string output;  // stdout and stderr together
};

/// Runs `command` through the shell with stderr joined to stdout; exit code -1 if it did not exit.
Outcome run_command(const std::string& command);

/// Runs the misim binary this build made with `args` (shell words), as run_command.
Outcome run_cli(const std::string& args);

}  // namespace misim::test_support
