// `misim graph FILE [--at T] [--format dot|json]`: the identity graph of a scenario's estate.
#include <iostream>

#include "command_input.hpp"
#include "commands.hpp"
#include "misim/directory_export.hpp"
#include "misim/scenario.hpp"
#include "misim/topology.hpp"

namespace misim::cli {

namespace {
struct GraphOptions {
  std::string file;
  std::string at = "0s";
  std::string format = "dot";
};

int graph(const GraphOptions& o) {
  std::optional<Directory> dir = estate_at(o.file, o.at);
  if (!dir) return kExitBadInput;
  std::cout << (o.format == "dot" ? export_dot(*dir) : export_json(*dir));
  return kExitOk;
}
}  // namespace

void add_graph_command(CLI::App& app, std::function<int()>& action) {
  static GraphOptions options;  // CLI11 binds options to storage that outlives parsing
  auto* cmd = app.add_subcommand("graph", "Print the identity graph of a scenario (Graphviz DOT or JSON)");
  cmd->add_option("FILE", options.file, "Scenario file (YAML)")->required();
  cmd->add_option("--at", options.at, "Show the estate at this simulated time (timeline applied up to it)")
      ->capture_default_str();
  cmd->add_option("--format", options.format, "dot (for Graphviz: | dot -Tsvg) or json")
      ->check(CLI::IsMember({"dot", "json"}))
      ->capture_default_str();
  add_max_memory_option(*cmd);
  cmd->callback([&action] { action = [] { return graph(options); }; });
}

}  // namespace misim::cli
