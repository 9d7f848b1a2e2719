// Uses misim's public API from outside its build tree, touching every layer in misim::misim and
// so every private dependency of the static libraries: a duration parsed and a timer on an Engine
// (engine), a scenario loaded from YAML text (scenario: yaml-cpp), run (model: libxxhash for the
// fingerprint) and summarised (report: nlohmann_json), and a trace written and read back (trace:
// protobuf). Prints one line; exit 0 when all of it behaves as documented.
#include <cstdio>
#include <string>

#include "misim/engine.hpp"
#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/summary.hpp"
#include "misim/time.hpp"
#include "misim/trace_file.hpp"
#include "misim/version.hpp"

namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "misim_consumer: %s\n", why.c_str());
  return 1;
}

constexpr const char* kScenario = R"(# One stage, light load: enough to touch every layer.
name: consumer
seed: 7
duration: 10s
services:
  aad: {servers: 2, latency: 5ms}
workload:
  - {name: clients, stage: aad, rate: 20/s, arrivals: poisson}
expect:
  - {metric: requests.total, above: 0}
)";

}  // namespace

int main() {
  const misim::Result<misim::SimTime> delay = misim::parse_duration("250ms");
  if (!delay) return fail(delay.error().to_string());
  misim::Engine engine;
  int fired = 0;
  engine.schedule_after(*delay, [&fired] { ++fired; });
  if (engine.run() != misim::RunOutcome::kDrained || fired != 1 || engine.now() != 250 * misim::kMillisecond) {
    return fail("the engine did not run the timer at 250ms");
  }

  const misim::Result<misim::Scenario> scenario = misim::load_scenario_text(kScenario, "consumer.yaml");
  if (!scenario) return fail(scenario.error().to_string());
  misim::Simulation simulation(scenario->simulation);
  simulation.run();
  const misim::Summary summary(*scenario, simulation, misim::Execution{});
  if (!summary.expectations_met() || summary.json_text().find("\"fingerprint\"") == std::string::npos) {
    return fail("unexpected summary:\n" + summary.json_text());
  }

  const std::string trace_path = "misim_consumer_trace.pb";
  auto writer = misim::TraceWriter::create(trace_path, misim::TraceHeader{});
  if (!writer) return fail(writer.error().to_string());
  (*writer)->on_event(misim::TraceEvent{});
  (*writer)->on_end(0, false);
  if (misim::Status s = (*writer)->close(); !s) return fail(s.error().to_string());
  misim::Result<misim::TraceReader> reader = misim::TraceReader::open(trace_path);
  if (!reader || !reader->next() || reader->event().kind != misim::EventKind::kOperation) {
    return fail("the trace did not read back");
  }
  std::remove(trace_path.c_str());

  std::printf("misim %s: timer at %s; scenario '%s' ran %llu events, fingerprint %016llx\n", misim::kVersion,
              misim::format_duration(engine.now()).c_str(), scenario->name.c_str(),
              static_cast<unsigned long long>(simulation.executed_events()),
              static_cast<unsigned long long>(simulation.fingerprint()));
  return 0;
}
