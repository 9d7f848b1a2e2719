#include "command_input.hpp"

#include <iostream>

#include "misim/topology.hpp"

namespace misim::cli {

namespace {
// CLI11 binds options to storage that outlives parsing; one subcommand runs per process.
std::string g_max_memory;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
}  // namespace

void add_max_memory_option(CLI::App& command) {
  command.add_option("--max-memory", g_max_memory,
                     "Refuse a scenario whose estimated memory is above this, e.g. 512MiB, 4GiB (default: half of "
                     "this machine's RAM, " +
                         format_memory_size(default_max_memory()) + ")");
}

std::optional<Scenario> load_with_overrides(const std::string& file, std::optional<std::uint64_t> seed,
                                            const std::vector<std::string>& sets, std::optional<SimTime> duration,
                                            Directory* estate) {
  ScenarioOverrides overrides;
  overrides.seed = seed;
  overrides.duration = duration;
  if (!g_max_memory.empty()) {
    Result<std::uint64_t> limit = parse_memory_size(g_max_memory);
    if (!limit) {
      std::cerr << "error: --max-memory: " << limit.error().message << '\n';
      return std::nullopt;
    }
    overrides.max_memory = *limit;
  }
  for (const std::string& set : sets) {
    auto kv = parse_param_override(set);
    if (!kv) {
      std::cerr << kv.error().to_string() << '\n';
      return std::nullopt;
    }
    overrides.params.push_back(*kv);
  }
  Result<Scenario> s =
      estate != nullptr ? load_scenario_file(file, overrides, *estate) : load_scenario_file(file, overrides);
  if (!s) {
    std::cerr << s.error().to_string() << '\n';
    return std::nullopt;
  }
  return std::move(s).value();
}

std::optional<Directory> estate_at(const std::string& file, const std::string& at_text) {
  Result<SimTime> at = parse_duration(at_text);
  if (!at) {
    std::cerr << "error: --at: " << at.error().message << '\n';
    return std::nullopt;
  }
  std::optional<Scenario> s = load_with_overrides(file, std::nullopt, {});
  if (!s) return std::nullopt;
  Result<Directory> dir = build_directory_at(s->simulation.topology, s->simulation.timeline, s->simulation.seed, *at);
  if (!dir) {
    std::cerr << Error{dir.error().message, SourcePlace{file, 0, 0}}.to_string() << '\n';
    return std::nullopt;
  }
  return std::move(dir).value();
}

}  // namespace misim::cli
