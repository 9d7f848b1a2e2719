// What several subcommands read the same way: a scenario with --seed and --set applied, and the
// estate at a time for graph and impact. On bad input each prints the error and returns nothing;
// the caller exits with kExitBadInput.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "misim/directory.hpp"
#include "misim/scenario.hpp"

namespace misim::cli {

/// Loads `file` with the command line's overrides (`--seed`, `--set NAME=VALUE`..., `--duration`).
std::optional<Scenario> load_with_overrides(const std::string& file, std::optional<std::uint64_t> seed,
                                            const std::vector<std::string>& sets,
                                            std::optional<SimTime> duration = std::nullopt);

/// The scenario's directory at the simulated time `at` (a duration text, from `--at`): the topology
/// and every timeline operation due by then.
std::optional<Directory> estate_at(const std::string& file, const std::string& at);

}  // namespace misim::cli
