// Every scenario of the library, run with a full trace written to trace.pb and read back: the
// trace converts to Chrome JSON (slices nested), CSV and SQLite, and `trace stats` gives
// summary.json's numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chrome_checks.hpp"
#include "library_scenarios.hpp"
#include "misim/scenario.hpp"
#include "misim/summary.hpp"
#include "misim/trace_convert.hpp"
#include "misim/trace_file.hpp"
#include "misim/trace_stats.hpp"
#include "misim/version.hpp"
#include "scratch_directory.hpp"

namespace misim {
namespace {

using Json = nlohmann::json;
using testing::ScratchDirectory;

using test_support::library_scenario_files;
using test_support::library_test_name;

std::string test_name(const ::testing::TestParamInfo<std::string>& info) { return library_test_name(info.param); }

/// Runs the scenario with a trace at level `all`; returns summary.json's text.
std::string run_with_trace(const std::string& file, const std::string& trace_path) {
  Result<Scenario> scenario = load_scenario_file(file);
  EXPECT_TRUE(scenario.ok()) << scenario.error().to_string();
  Simulation sim(scenario->simulation);
  TraceHeader header;
  header.misim_version = kVersion;
  header.scenario = scenario->name;
  header.scenario_file = file;
  header.seed = sim.config().seed;
  header.level = TraceLevel::kAll;
  for (const Param& p : scenario->params) header.params.emplace_back(p.name, p.value);
  Result<std::unique_ptr<TraceWriter>> writer = TraceWriter::create(trace_path, header);
  EXPECT_TRUE(writer.ok()) << writer.error().to_string();
  sim.attach(**writer, TraceLevel::kAll);
  sim.run();
  sim.finish(false);
  (*writer)->set_fingerprint(sim.fingerprint());
  const Status closed = (*writer)->close();
  EXPECT_TRUE(closed.ok()) << closed.error().to_string();
  return Summary(*scenario, sim, Execution{}).json_text();
}

Status convert_file(const std::string& trace, TraceConsumer& consumer) {
  Result<TraceReader> reader = TraceReader::open(trace);
  if (!reader) return std::move(reader).error();
  return convert(*reader, consumer);
}

/// Every value of `stats` (but the `trace` section) at the same path in `summary`, and equal (work
/// in flight at the end reaches the trace as kFlagInFlight records). `notes` is kept for reports.
void expect_contained(const Json& stats, const Json& summary, const std::string& path,
                      std::vector<std::string>& differences, std::vector<std::string>& notes) {
  const std::string here = path.empty() ? path : path.substr(0, path.size() - 1);
  if (stats.is_object()) {
    for (const auto& [key, value] : stats.items()) {
      if (path.empty() && key == "trace") continue;
      if (!summary.is_object() || !summary.contains(key)) {
        differences.push_back(path + key + ": missing from summary.json");
        continue;
      }
      expect_contained(value, summary[key], path + key + ".", differences, notes);
    }
    return;
  }
  if (stats == summary) return;
  differences.push_back(here + ": trace stats " + stats.dump() + ", summary.json " + summary.dump());
}

class ScenarioTrace : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTrace, StatsEqualSummaryJson) {
  ScratchDirectory dir;
  const Json summary = Json::parse(run_with_trace(GetParam(), dir.file("trace.pb")));
  TraceStatistics stats;
  const Status s = convert_file(dir.file("trace.pb"), stats);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const Json j = Json::parse(stats.json_text());
  ASSERT_TRUE(j["trace"]["unavailable"].empty());
  // The same stages, by name.
  std::vector<std::string> stages, summary_stages;
  for (const auto& [name, stage] : j["stages"].items()) stages.push_back(name);
  for (const auto& [name, stage] : summary["stages"].items()) summary_stages.push_back(name);
  EXPECT_EQ(stages, summary_stages);
  std::vector<std::string> differences, notes;
  expect_contained(j, summary, "", differences, notes);
  for (const std::string& d : differences) ADD_FAILURE() << d;
  for (const std::string& n : notes) std::printf("  %s: %s\n", library_test_name(GetParam()).c_str(), n.c_str());
}

TEST_P(ScenarioTrace, ConvertsToChromeCsvAndSqlite) {
  ScratchDirectory dir;
  run_with_trace(GetParam(), dir.file("trace.pb"));
  Result<std::unique_ptr<TraceConsumer>> chrome = chrome_trace_writer(dir.file("t.json"));
  ASSERT_TRUE(chrome.ok());
  Status s = convert_file(dir.file("trace.pb"), **chrome);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  testing::expect_proper_nesting_in_file(dir.file("t.json"));
  Result<std::unique_ptr<TraceConsumer>> csv = csv_trace_writer(dir.file("csv"));
  ASSERT_TRUE(csv.ok());
  s = convert_file(dir.file("trace.pb"), **csv);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE(std::filesystem::exists(dir.file("csv/requests.csv")));
  Result<std::unique_ptr<TraceConsumer>> sqlite = sqlite_trace_writer(dir.file("t.db"));
  ASSERT_TRUE(sqlite.ok());
  s = convert_file(dir.file("trace.pb"), **sqlite);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE(std::filesystem::exists(dir.file("t.db")));
}

INSTANTIATE_TEST_SUITE_P(Library, ScenarioTrace, ::testing::ValuesIn(library_scenario_files()), test_name);

}  // namespace
}  // namespace misim
