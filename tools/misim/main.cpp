// misim: the command-line entry point. Subcommands live one a file (commands.hpp).
#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <iostream>

#include "commands.hpp"
#include "misim/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"misim: a discrete-event simulator of the Azure managed-identity control plane"};
  app.set_version_flag("--version", std::string("misim ") + misim::kVersion);
  app.require_subcommand(1);
  std::function<int()> action;
  misim::cli::add_run_command(app, action);
  misim::cli::add_validate_command(app, action);
  misim::cli::add_graph_command(app, action);
  misim::cli::add_impact_command(app, action);
  misim::cli::add_explain_command(app, action);
  misim::cli::add_trace_command(app, action);
  misim::cli::add_sweep_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return misim::cli::kExitBadInput;  // usage errors are bad input (design.md: exit 2)
  }
  if (!action) return misim::cli::kExitBadInput;
  try {
    return action();
  } catch (const std::exception& e) {
    // Expected problems are values with exit 2; an exception here is a broken invariant in misim.
    std::cerr << "misim: internal error: " << e.what() << " (please report it with the scenario)\n";
    return misim::cli::kExitInternalError;
  }
}
