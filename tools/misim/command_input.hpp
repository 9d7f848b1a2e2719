// What several subcommands read the same way: a scenario with --seed and --set applied, and the
// estate at a time for graph and impact. On bad input each prints the error and returns nothing;
// the caller exits with kExitBadInput.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "misim/directory.hpp"
#include "misim/scenario.hpp"

namespace misim::cli {

/// Adds `--max-memory SIZE` to a subcommand that loads a scenario: the loader refuses a scenario
/// whose estimated peak memory is above it (docs/reliability.md); default half the machine's RAM.
/// One value for the whole command line: only one subcommand runs.
void add_max_memory_option(CLI::App& command);

/// Loads `file` with the command line's overrides (`--seed`, `--set NAME=VALUE`..., `--duration`,
/// `--max-memory`).
/// With `estate`, also builds the scenario's estate into it (load_scenario_file), for `misim run`.
std::optional<Scenario> load_with_overrides(const std::string& file, std::optional<std::uint64_t> seed,
                                            const std::vector<std::string>& sets,
                                            std::optional<SimTime> duration = std::nullopt,
                                            Directory* estate = nullptr);

/// The scenario's directory at the simulated time `at` (a duration text, from `--at`): the topology
/// and every timeline operation due by then.
std::optional<Directory> estate_at(const std::string& file, const std::string& at);

}  // namespace misim::cli
