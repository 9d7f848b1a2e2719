// `misim run FILE`: loads a scenario, runs it and writes the run's files atomically.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <utility>

#include "command_input.hpp"
#include "commands.hpp"
#include "interrupt.hpp"
#include "misim/output_directory.hpp"
#include "misim/report.hpp"
#include "misim/scenario.hpp"
#include "misim/summary.hpp"
#include "misim/trace_file.hpp"
#include "misim/version.hpp"
#include "progress.hpp"
#include "sweep_command.hpp"

namespace misim::cli {

namespace {

struct RunOptions {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> sets;
  std::string duration;
  std::string out = "out";
  std::string trace = "none";
  bool quiet = false;
  std::size_t replications = 0;  // > 0: a sweep of one point (sweep_command.hpp)
  std::vector<std::string> metrics;
};

TraceHeader trace_header(const Scenario& scenario, TraceLevel level) {
  TraceHeader h;
  h.misim_version = kVersion;
  h.scenario = scenario.name;
  h.scenario_file = scenario.file;
  h.scenario_hash = to_hex64(scenario.source_hash);
  h.seed = scenario.simulation.seed;
  for (const Param& p : scenario.params) h.params.emplace_back(p.name, p.value);
  h.level = level;
  return h;
}

// Ends a run that has written and renamed every file into place. A fleet's run ends holding
// gigabytes of small objects (the directory, the call slots, the queue, the report's tallies):
// destroying them one by one took about a second at a million VMs, and the kernel takes the pages
// back at exit all the same (clang's -disable-free makes the same choice). Builds with
// AddressSanitizer return instead, so that its leak check still sees everything freed.
int end_run(int code) {
#if defined(__SANITIZE_ADDRESS__)
  return code;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return code;
#endif
#endif
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(code);
}

int run(const RunOptions& o) {
  std::optional<SimTime> duration;
  if (!o.duration.empty()) {
    Result<SimTime> d = parse_duration(o.duration);
    if (!d || *d <= 0) {
      std::cerr << "error: --duration: " << (d ? "must be longer than 0s" : d.error().message) << '\n';
      return kExitBadInput;
    }
    duration = *d;
  }
  if (o.replications > 0) {
    return run_replications({o.file, o.seed, o.sets, duration, o.replications, o.metrics, o.out, o.quiet});
  }
  // The run's phases, in summary.json's `phases` and the closing line (docs/performance.md).
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  const auto load_start = Clock::now();
  // The estate is built while the loader checks the scenario, and handed to the Simulation.
  Directory estate;
  std::optional<Scenario> scenario = load_with_overrides(o.file, o.seed, o.sets, duration, &estate);
  if (!scenario) return kExitBadInput;
  const double loading = seconds_since(load_start);

  // From here SIGINT and SIGTERM stop the run at the current event, and what ran is written
  // (docs/reliability.md); caught before any file is created, so a signal never finds one half-made.
  Interrupts interrupts;
  const auto wall_start = std::chrono::steady_clock::now();
  // Moved, not copied: a fleet's estate is millions of operations (the seed stays for the trace).
  Simulation simulation(std::move(scenario->simulation), std::move(estate));
  const double building = seconds_since(wall_start);
  simulation.stop_when(Interrupts::flag());
  ReportCollector report;
  simulation.attach(report, TraceLevel::kAll);
  // trace.pb streams to its partial file while the run goes; commit() renames it with the others.
  TraceLevel level = TraceLevel::kNone;
  parse_trace_level(o.trace, level);  // CLI11 has checked the word
  OutputDirectory out(o.out);
  std::unique_ptr<TraceWriter> trace;
  if (level != TraceLevel::kNone) {
    Result<std::string> path = out.reserve("trace.pb");
    Result<std::unique_ptr<TraceWriter>> writer = path ? TraceWriter::create(*path, trace_header(*scenario, level))
                                                       : Result<std::unique_ptr<TraceWriter>>(path.error());
    if (!writer) {
      std::cerr << "misim: " << writer.error().to_string() << '\n';
      return kExitBadInput;
    }
    trace = std::move(writer).value();
    simulation.attach(*trace, level);
  }
  ProgressLine progress(!o.quiet, simulation.config().duration);
  // Run in slices so progress can be shown; an interrupt stops the slice at the current event.
  const SimTime slice = std::max<SimTime>(simulation.config().duration / 1000, kMillisecond);
  while (!simulation.finished() && !Interrupts::requested()) {
    simulation.advance(simulation.now() + slice);
    progress.update(simulation.now(), simulation.executed_events());
  }
  progress.finish();
  // Stopped before the end only by a signal; one after the last event changes nothing.
  const bool interrupted = !simulation.finished();
  const int signal_status = Interrupts::exit_status();
  interrupts.let_next_kill();  // a second signal ends the process: the final names keep older files
  if (interrupted && !o.quiet) {
    std::cerr << "misim: interrupted at " << format_clock(simulation.now())
              << " simulated; writing what ran so far (a second signal ends misim at once)\n";
  }
  simulation.finish(interrupted);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  const auto summary_start = Clock::now();
  Execution execution{wall, interrupted, {}};
  execution.phases = {{"loading", loading}, {"building", building}, {"simulating", wall - building}};
  const Summary summary(*scenario, simulation, execution);
  const std::string summary_json = summary.json_text();
  const double summarising = seconds_since(summary_start);
  if (trace) {
    trace->set_fingerprint(simulation.fingerprint());
    if (Status s = trace->close(); !s) {
      std::cerr << "misim: " << s.error().to_string() << '\n';
      return kExitBadInput;
    }
  }
  if (Status s = out.write("summary.json", summary_json); !s) {
    std::cerr << s.error().to_string() << '\n';
    return kExitBadInput;
  }
  const auto report_start = Clock::now();
  const std::string html = render_report_html(report_input(*scenario, report, summary_json, &simulation.directory()));
  if (Status s = out.write("report.html", html); !s) {
    std::cerr << s.error().to_string() << '\n';
    return kExitBadInput;
  }
  const double reporting = seconds_since(report_start);
  {
    const Interrupts::Hold hold;  // every file renamed into place, or none
    if (Status s = out.commit(); !s) {
      std::cerr << s.error().to_string() << '\n';
      return kExitBadInput;
    }
  }
  if (!o.quiet) {
    std::cerr << "misim: " << scenario->name << ": " << simulation.executed_events() << " events, "
              << format_duration(simulation.now()) << " simulated in " << wall << " s; wrote " << o.out
              << "/summary.json, report.html" << (trace ? ", trace.pb" : "") << " (fingerprint "
              << to_hex64(simulation.fingerprint()) << ")\n";
    std::cerr << "misim: phases: loading " << loading << " s, building " << building << " s, simulating "
              << wall - building << " s, summary " << summarising << " s, report " << reporting << " s\n";
  }
  for (const ExpectationResult& e : summary.expectations()) {
    if (!e.met) {
      std::cerr << e.place.file << ':' << e.place.line << ':' << e.place.column << ": expectation failed: " << e.text
                << " (" << e.detail << ")\n";
    }
  }
  if (interrupted) return end_run(signal_status);  // 130 after SIGINT, 143 after SIGTERM
  return end_run(summary.expectations_met() ? kExitOk : kExitExpectationFailed);
}

}  // namespace

void add_run_command(CLI::App& app, std::function<int()>& action) {
  static RunOptions options;  // CLI11 binds options to storage that outlives parsing
  auto* cmd = app.add_subcommand("run", "Run a scenario and write summary.json into the output directory");
  cmd->add_option("FILE", options.file, "Scenario file (YAML)")->required();
  cmd->add_option("--seed", options.seed, "Random seed (overrides the scenario's)");
  cmd->add_option("--set", options.sets, "Override a param: NAME=VALUE (repeatable)");
  cmd->add_option("--duration", options.duration, "Simulated duration, e.g. 6h (overrides the scenario's)");
  cmd->add_option("--out", options.out, "Output directory")->capture_default_str();
  cmd->add_option("--trace", options.trace,
                  "What trace.pb records: none (no file), lifecycle, requests or all (docs/traces.md)")
      ->check(CLI::IsMember({"none", "lifecycle", "requests", "all"}))
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", options.quiet, "No progress line or closing message");
  cmd->add_option("--replications", options.replications,
                  "Run N replications (seeds derived from --seed) and write results.csv/json with 95% intervals");
  cmd->add_option("--metric", options.metrics,
                  "With --replications: a summary.json path to report (repeatable; default: token latency and the "
                  "expectations' metrics)");
  add_max_memory_option(*cmd);
  cmd->callback([&action] { action = [] { return run(options); }; });
}

}  // namespace misim::cli
