// `misim validate FILE [--set K=V]... [--max-memory SIZE]`: checks a scenario without running it,
// and says what a run would need (the loader's estimate, docs/reliability.md).
#include <iostream>

#include "command_input.hpp"
#include "commands.hpp"
#include "misim/scenario.hpp"

namespace misim::cli {

namespace {
struct ValidateOptions {
  std::string file;
  std::vector<std::string> sets;
};

int validate(const ValidateOptions& o) {
  std::optional<Scenario> s = load_with_overrides(o.file, std::nullopt, o.sets);
  if (!s) return kExitBadInput;
  const std::size_t expectations = s->expectations.size() + s->access_expectations.size();
  std::cout << o.file << ": ok: scenario '" << s->name << "', " << s->simulation.stages.size() << " service(s), "
            << s->simulation.workloads.size() + s->simulation.token_path.calls.size() << " workload(s), "
            << expectations << " expectation(s); estimated peak memory " << format_memory_size(s->estimate.bytes)
            << " (" << s->estimate.resources << " resources, " << s->estimate.identities << " identities, "
            << s->estimate.pending_events << " pending events)\n";
  return kExitOk;
}
}  // namespace

void add_validate_command(CLI::App& app, std::function<int()>& action) {
  static ValidateOptions options;  // CLI11 binds options to storage that outlives parsing
  auto* cmd = app.add_subcommand("validate", "Check a scenario file and report the first problem with its place");
  cmd->add_option("FILE", options.file, "Scenario file (YAML)")->required();
  cmd->add_option("--set", options.sets, "Override a param: NAME=VALUE (repeatable)");
  add_max_memory_option(*cmd);
  cmd->callback([&action] { action = [] { return validate(options); }; });
}

}  // namespace misim::cli
