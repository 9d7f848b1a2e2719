// The subcommands of the misim command line. Each registers its options on the CLI11 app and
// returns the process exit status: 0 success, 1 an expectation failed, 2 bad input or usage,
// 3 an internal error (a bug in misim).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace misim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitExpectationFailed = 1;
inline constexpr int kExitBadInput = 2;
/// A broken invariant inside misim (a bug), never bad input.
inline constexpr int kExitInternalError = 3;

/// Adds `misim run` to the app; `action` is set to run it when chosen.
void add_run_command(CLI::App& app, std::function<int()>& action);
/// Adds `misim validate`.
void add_validate_command(CLI::App& app, std::function<int()>& action);
/// Adds `misim graph`.
void add_graph_command(CLI::App& app, std::function<int()>& action);
/// Adds `misim impact`.
void add_impact_command(CLI::App& app, std::function<int()>& action);
/// Adds `misim explain`.
void add_explain_command(CLI::App& app, std::function<int()>& action);
/// Adds `misim trace` (convert, stats, sequence).
void add_trace_command(CLI::App& app, std::function<int()>& action);
/// Adds `misim sweep` (replications and parameter grids, threads or MPI ranks).
void add_sweep_command(CLI::App& app, std::function<int()>& action);

}  // namespace misim::cli
