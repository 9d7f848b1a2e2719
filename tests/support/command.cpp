#include "command.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace misim::test_support {

Outcome run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (pipe != nullptr && std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

Outcome run_cli(const std::string& args) { return run_command(std::string(MISIM_CLI) + " " + args); }

}  // namespace misim::test_support
