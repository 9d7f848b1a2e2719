// `misim impact FILE --delete NAME [--at T] [--json]`: what deleting an entity would break.
#include <iostream>

#include "command_input.hpp"
#include "commands.hpp"
#include "misim/impact.hpp"
#include "misim/scenario.hpp"
#include "misim/topology.hpp"

namespace misim::cli {

namespace {
struct ImpactOptions {
  std::string file;
  std::string name;
  std::string at = "0s";
  bool json = false;
};

int impact(const ImpactOptions& o) {
  std::optional<Directory> dir = estate_at(o.file, o.at);
  if (!dir) return kExitBadInput;
  Result<EntityRef> entity = dir->lookup(o.name);
  if (!entity) {
    std::cerr << "error: --delete: " << entity.error().message << '\n';
    return kExitBadInput;
  }
  Result<ImpactReport> report = dir->impact_of_delete(*entity);
  if (!report) {
    std::cerr << "error: " << report.error().message << '\n';
    return kExitBadInput;
  }
  std::cout << (o.json ? format_impact_json(*report, *dir) : format_impact_text(*report, *dir));
  return kExitOk;
}
}  // namespace

void add_impact_command(CLI::App& app, std::function<int()>& action) {
  static ImpactOptions options;  // CLI11 binds options to storage that outlives parsing
  auto* cmd = app.add_subcommand("impact", "What breaks if an entity of the scenario is deleted");
  cmd->add_option("FILE", options.file, "Scenario file (YAML)")->required();
  cmd->add_option("--delete", options.name, "Name of the entity to delete")->required();
  cmd->add_option("--at", options.at, "Evaluate at this simulated time (timeline applied up to it)")
      ->capture_default_str();
  cmd->add_flag("--json", options.json, "JSON for scripts instead of text");
  add_max_memory_option(*cmd);
  cmd->callback([&action] { action = [] { return impact(options); }; });
}

}  // namespace misim::cli
