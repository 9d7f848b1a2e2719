// `misim explain FILE [--focus NAME] [--set K=V]... [--seed N]`: the run told in sentences.
#include <iostream>

#include "command_input.hpp"
#include "commands.hpp"
#include "misim/narration.hpp"
#include "misim/scenario.hpp"

namespace misim::cli {

namespace {
struct ExplainOptions {
  std::string file;
  std::string focus;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;
};

int explain(const ExplainOptions& o) {
  std::optional<Scenario> s = load_with_overrides(o.file, o.seed, o.sets);
  if (!s) return kExitBadInput;
  Result<Narration> narration = narrate(*s, NarrationOptions{.focus = o.focus});
  if (!narration) {
    std::cerr << "error: " << narration.error().message << '\n';
    return kExitBadInput;
  }
  std::cout << narration->text();
  return kExitOk;
}
}  // namespace

void add_explain_command(CLI::App& app, std::function<int()>& action) {
  static ExplainOptions options;  // CLI11 binds options to storage that outlives parsing
  auto* cmd = app.add_subcommand("explain", "Tell what happens in a scenario's run, in sentences with simulated times");
  cmd->add_option("FILE", options.file, "Scenario file (YAML)")->required();
  cmd->add_option("--focus", options.focus,
                  "Only what concerns this entity, template, service or workload (operations on it, consequences "
                  "that name it)");
  cmd->add_option("--set", options.sets, "Override a param: NAME=VALUE (repeatable)");
  cmd->add_option("--seed", options.seed, "Random seed (overrides the scenario's)");
  add_max_memory_option(*cmd);
  cmd->callback([&action] { action = [] { return explain(options); }; });
}

}  // namespace misim::cli
