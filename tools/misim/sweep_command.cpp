// `misim sweep FILE` and `misim run FILE --replications N`: the runs of a sweep in this process's
// threads or across MPI ranks, each finished run journalled, then the results written at once.
#include "sweep_command.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "interrupt.hpp"
#include "misim/output_directory.hpp"
#include "misim/scenario.hpp"
#include "misim/sweep.hpp"
#include "sweep_coordinator.hpp"
#include "sweep_mpi.hpp"
#include "sweep_progress.hpp"

namespace misim::cli {

namespace {

constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it (the test hook's stop)
// Per-point lines printed at the end; a larger sweep is read from its files.
constexpr std::size_t kMaxPrintedLines = 40;
constexpr auto kTick = std::chrono::milliseconds(200);

struct SweepOptions {
  std::string file;
  std::string out;
  int threads = -1;
  bool fresh = false;
  bool crn = false;
  bool quiet = false;
  std::size_t stop_after = 0;
};

/// How a sweep runs here, for `misim sweep` and `misim run --replications` alike.
struct Execution {
  std::string out;
  int threads = -1;  // runs at a time in this process; -1: all cores, or 1 per rank under MPI
  SweepJournal::Mode mode = SweepJournal::Mode::kResume;
  bool quiet = false;
  std::size_t stop_after = 0;
};

void run_locally(const SweepDefinition& sweep, SweepCoordinator& coordinator) {
  while (std::optional<SweepRun> run = coordinator.wait_for_run()) {
    std::optional<RunRecord> record = run_sweep_replication(sweep, *run, &coordinator.stop_flag());
    if (record) {
      coordinator.complete(std::move(*record));
    } else {
      coordinator.abandon();
    }
  }
}

std::string point_words(const SweepPoint& point) {
  std::string s;
  for (const auto& [name, value] : point) s += (s.empty() ? "" : ", ") + name + "=" + value;
  return s.empty() ? "as written" : s;
}

void print_points(const SweepDefinition& sweep, const std::vector<PointSummary>& points) {
  if (points.size() * sweep.metrics.size() > kMaxPrintedLines) return;
  for (const PointSummary& p : points) {
    std::cout << "point " << p.point << " (" << point_words(sweep.points[p.point]) << "): " << p.runs << " runs";
    if (p.failed > 0) std::cout << ", " << p.failed << " failed";
    std::cout << '\n';
    for (std::size_t m = 0; m < sweep.metrics.size(); ++m) {
      const MetricStatistics& s = p.metrics[m];
      std::cout << "  " << sweep.metrics[m] << ": ";
      if (s.n == 0) {
        std::cout << "no value\n";
        continue;
      }
      std::cout << s.mean;
      if (s.n >= 2) std::cout << " ± " << s.half_width() << " (95% CI, n=" << s.n << ")";
      std::cout << '\n';
    }
  }
}

/// A metric no run had is most likely a misspelt path: say so rather than leave empty columns.
void warn_absent_metrics(const SweepDefinition& sweep, const std::vector<RunRecord>& records) {
  for (std::size_t m = 0; m < sweep.metrics.size(); ++m) {
    bool any_ok = false;
    bool seen = false;
    for (const RunRecord& r : records) {
      any_ok = any_ok || r.ok;
      seen = seen || (r.ok && r.metrics[m]);
    }
    if (any_ok && !seen) {
      std::cerr << sweep.file << ": warning: no run's summary.json has a number at '" << sweep.metrics[m]
                << "' (a misspelt path, or a count that stayed at zero and is left out)\n";
    }
  }
}

int write_results(const SweepDefinition& sweep, const SweepCoordinator& coordinator, const Execution& e,
                  double wall_seconds) {
  const std::vector<RunRecord> records = coordinator.records();
  const std::vector<PointSummary> points = summarise_points(sweep, records);
  OutputDirectory out(e.out);
  const std::pair<const char*, std::string> files[] = {
      {"results.csv", sweep_results_csv(sweep, points)},
      {"runs.csv", sweep_runs_csv(sweep, records)},
      {"results.json", sweep_results_json(sweep, points, records)},
      {"report.html", sweep_report_html(sweep, points, records)},
  };
  for (const auto& [name, text] : files) {
    if (Status s = out.write(name, text); !s) {
      std::cerr << s.error().to_string() << '\n';
      return kExitBadInput;
    }
  }
  {
    const Interrupts::Hold hold;  // every file renamed into place, or none
    if (Status s = out.commit(); !s) {
      std::cerr << s.error().to_string() << '\n';
      return kExitBadInput;
    }
  }
  const SweepCoordinator::Counts c = coordinator.counts();
  if (!e.quiet) {
    warn_absent_metrics(sweep, records);
    print_points(sweep, points);
    std::cerr << "misim: sweep " << sweep.name << ": " << c.finished << " runs over " << sweep.points.size()
              << " points (" << c.finished_here << " run now, " << c.resumed << " from the journal, " << c.failed
              << " failed) in " << wall_seconds << " s; wrote " << e.out
              << "/results.csv, runs.csv, results.json and report.html\n";
  }
  for (const RunRecord& r : records) {
    if (!r.ok) {
      std::cerr << "misim: point " << r.run.point << " replication " << r.run.replication << " (seed " << r.run.seed
                << ") failed: " << r.error << '\n';
    }
  }
  return c.failed > 0 ? kExitExpectationFailed : kExitOk;
}

/// The sweep, from this process's side: rank 0 (or the only process) keeps the plan and the
/// journal and runs replications in its threads; the other ranks run what rank 0 hands them.
int execute(const SweepDefinition& sweep, const Execution& e, const MpiJob& job) {
  if (job.rank() != 0) {
    job.work(sweep);
    return kExitOk;
  }
  const auto wall_start = std::chrono::steady_clock::now();
  Result<SweepJournal> journal = SweepJournal::open(e.out, sweep, e.mode);
  if (!journal) {
    std::cerr << journal.error().to_string() << '\n';
    job.dismiss();
    return kExitBadInput;
  }
  if (!e.quiet && !journal->discarded().empty())
    std::cerr << "misim: starting afresh: " << journal->discarded() << '\n';
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const std::size_t threads = e.threads >= 0 ? static_cast<std::size_t>(e.threads) : job.size() > 1 ? 1 : cores;

  SweepCoordinator coordinator(sweep, *journal, e.stop_after);
  if (!e.quiet && coordinator.counts().resumed > 0) {
    std::cerr << "misim: resuming: " << coordinator.counts().resumed << " runs already finished in " << journal->path()
              << '\n';
  }
  SweepProgress progress(!e.quiet);
  // SIGINT and SIGTERM stop the sweep: runs in flight give up within a slice, what finished stays in
  // the journal, and no result file is written; a second signal ends the process at once.
  Interrupts interrupts;
  const auto tick = [&] {
    if (Interrupts::requested() && !coordinator.stopped()) {
      coordinator.stop();
      interrupts.let_next_kill();
    }
    progress.update(coordinator.counts());
  };
  {
    std::vector<std::jthread> pool;
    for (std::size_t i = 0; i < threads; ++i) pool.emplace_back([&] { run_locally(sweep, coordinator); });
    if (job.size() > 1) {
      job.coordinate(coordinator, tick);
    } else {
      while (!coordinator.wait_over(kTick)) tick();
    }
  }  // the pool joins here
  progress.finish();
  const bool signalled = Interrupts::requested();
  interrupts.let_next_kill();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  if (const std::optional<Error> error = coordinator.journal_error()) {
    std::cerr << error->to_string() << " (the sweep stopped; what the journal holds is kept)\n";
    return kExitBadInput;
  }
  const SweepCoordinator::Counts c = coordinator.counts();
  if (coordinator.stopped() && c.finished < c.wanted) {
    std::cerr << "misim: sweep " << sweep.name << " stopped with " << c.finished << " of " << c.wanted
              << " runs finished; they are kept in " << journal->path()
              << ": the same command again runs only the rest\n";
    return signalled ? Interrupts::exit_status() : kExitInterrupted;
  }
  return write_results(sweep, coordinator, e, wall);
}

int run_sweep_file(const SweepOptions& o) {
  Result<MpiJob> job = MpiJob::join();
  if (!job) {
    std::cerr << job.error().to_string() << '\n';
    return kExitBadInput;
  }
  const bool speaks = job->rank() == 0;  // under MPI only rank 0 prints
  if (o.threads == 0 && job->size() < 2) {
    if (speaks) std::cerr << "error: --threads 0 leaves no one to run the sweep (it is for rank 0 of an MPI job)\n";
    return kExitBadInput;
  }
  // Every rank reads the sweep (and its scenario) itself; all stop together if any cannot.
  Result<SweepDefinition> definition = load_sweep_file(o.file);
  if (!job->all_ok(definition.ok())) {
    if (speaks)
      std::cerr << (definition ? "error: another rank cannot read " + o.file : definition.error().to_string()) << '\n';
    return kExitBadInput;
  }
  if (o.crn) definition->common_random_numbers = true;
  const std::string hash = sweep_definition_hash(*definition);
  if (!job->all_ok(job->broadcast(hash) == hash)) {
    if (speaks) std::cerr << "error: the ranks read different sweeps from " << o.file << " (files not shared alike?)\n";
    return kExitBadInput;
  }
  Execution e;
  e.out = o.out.empty() ? "out/" + definition->name : o.out;
  e.threads = o.threads;
  e.mode = o.fresh ? SweepJournal::Mode::kFresh : SweepJournal::Mode::kResume;
  e.quiet = o.quiet || !speaks;
  e.stop_after = o.stop_after;
  return execute(*definition, e, *job);
}

/// The one point `misim run --replications` runs: its --set values, the last of a repeated name.
SweepPoint point_of(const std::vector<std::pair<std::string, std::string>>& sets) {
  SweepPoint point;
  for (const std::pair<std::string, std::string>& set : sets) {
    const auto same = std::find_if(point.begin(), point.end(), [&](const auto& kv) { return kv.first == set.first; });
    if (same != point.end()) {
      same->second = set.second;
    } else {
      point.push_back(set);
    }
  }
  return point;
}

}  // namespace

int run_replications(const ReplicationRequest& request) {
  Result<MpiJob> job = MpiJob::join();
  if (!job) {
    std::cerr << job.error().to_string() << '\n';
    return kExitBadInput;
  }
  const bool speaks = job->rank() == 0;
  // The checks of `misim run`: the file, the --set names and values, then the scenario as a whole.
  ScenarioOverrides overrides;
  overrides.seed = request.seed;
  overrides.duration = request.duration;
  std::optional<Error> error;
  for (const std::string& set : request.sets) {
    Result<std::pair<std::string, std::string>> kv = parse_param_override(set);
    if (!kv) {
      error = kv.error();
      break;
    }
    overrides.params.push_back(*kv);
  }
  SweepDefinition sweep;
  if (!error) {
    std::ifstream in(request.file, std::ios::binary);
    std::ostringstream bytes;
    if (in) bytes << in.rdbuf();
    sweep.scenario_text = bytes.str();
    Result<Scenario> scenario = in ? load_scenario_text(sweep.scenario_text, request.file, overrides)
                                   : Result<Scenario>(Error{"cannot open the scenario file", {request.file, 0, 0}});
    if (!scenario) {
      error = scenario.error();
    } else {
      sweep.name = scenario->name;
      sweep.seed = scenario->simulation.seed;  // --seed is applied already
      sweep.metrics = request.metrics;
      if (sweep.metrics.empty()) {
        sweep.metrics = {"requests.latency_ms.mean", "requests.latency_ms.p99"};
        for (const MetricExpectation& m : scenario->expectations) {
          if (std::find(sweep.metrics.begin(), sweep.metrics.end(), m.metric) == sweep.metrics.end()) {
            sweep.metrics.push_back(m.metric);
          }
        }
      }
    }
  }
  if (!job->all_ok(!error)) {
    if (speaks && error) std::cerr << error->to_string() << '\n';
    return kExitBadInput;
  }
  sweep.file = request.file;
  sweep.scenario_file = request.file;
  sweep.points.push_back(point_of(overrides.params));
  for (const auto& [name, value] : sweep.points.front()) sweep.swept.push_back(name);
  sweep.replications = request.replications;
  sweep.duration = request.duration;
  Execution e;
  e.out = request.out;
  // Like `misim run`, which overwrites its output: another point's journal there is replaced.
  e.mode = SweepJournal::Mode::kResumeOrFresh;
  e.quiet = request.quiet || !speaks;
  return execute(sweep, e, *job);
}

void add_sweep_command(CLI::App& app, std::function<int()>& action) {
  static SweepOptions options;  // CLI11 binds options to storage that outlives parsing
  auto* cmd = app.add_subcommand(
      "sweep", "Run a sweep: a grid of params x replications with confidence intervals (threads or MPI ranks)");
  cmd->add_option("FILE", options.file, "Sweep file (YAML; docs/sweeps.md)")->required();
  cmd->add_option("--out", options.out, "Output directory (default: out/NAME, NAME the sweep's)");
  cmd->add_option("--threads", options.threads,
                  "Runs at a time in this process (default: all cores; under MPI 1 per rank, and 0 makes rank 0 "
                  "only hand out runs)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--fresh", options.fresh, "Discard the journal of an earlier sweep in the output directory");
  cmd->add_flag("--crn", options.crn, "Common random numbers: replication r of every point uses the same seed");
  cmd->add_flag("--quiet,-q", options.quiet, "No progress bar, table or closing message");
  // A test hook: stop as an interrupt would once this many runs finished (tests/sweep).
  cmd->add_option("--stop-after", options.stop_after)->group("");
  cmd->callback([&action] { action = [] { return run_sweep_file(options); }; });
}

}  // namespace misim::cli
