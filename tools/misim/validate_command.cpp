// `misim validate FILE`: checks a scenario without running it.
#include <iostream>

#include "commands.hpp"
#include "misim/scenario.hpp"

namespace misim::cli {

void add_validate_command(CLI::App& app, std::function<int()>& action) {
  auto* cmd = app.add_subcommand("validate", "Check a scenario file and report the first problem with its place");
  static std::string file;  // CLI11 binds options to storage that outlives parsing
  cmd->add_option("FILE", file, "Scenario file (YAML)")->required();
  cmd->callback([&action] {
    action = [] {
      Result<Scenario> s = load_scenario_file(file);
      if (!s) {
        std::cerr << s.error().to_string() << '\n';
        return kExitBadInput;
      }
      std::cout << file << ": ok: scenario '" << s->name << "', " << s->simulation.stages.size() << " service(s), "
                << s->simulation.workloads.size() << " workload(s), " << s->expectations.size() << " expectation(s)\n";
      return kExitOk;
    };
  });
}

}  // namespace misim::cli
