// misim sweep and misim run --replications through the binary: results that do not depend on how
// many threads ran them, a row repeated alone by misim run, nothing lost when a sweep is stopped
// or killed, failures recorded, bad input refused (design.md, "Command line and outputs").
#include "sweep_cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace misim {
namespace {

using testing::HasSubstr;
using testing::Not;
using namespace testing_sweep;
using Json = nlohmann::json;

class SweepCli : public Scratch {
 protected:
  /// Runs the small storm sweep into `out` with extra arguments; returns its outcome.
  Outcome storm(const std::string& out, const std::string& extra = "") {
    return misim("sweep " + kStormSweep + " --out " + path(out) + " " + extra);
  }
  void expect_same_results(const std::string& a, const std::string& b) {
    for (const char* name : kResultFiles) {
      const std::string left = read(path(a) + "/" + name);
      EXPECT_FALSE(left.empty()) << a << "/" << name;
      EXPECT_EQ(left, read(path(b) + "/" + name)) << name << " differs between " << a << " and " << b;
    }
  }
  std::vector<std::string> journal(const std::string& out) { return lines_of(read(path(out) + "/journal.jsonl")); }
};

TEST_F(SweepCli, GivesTheSameResultsFromOneThreadAndFromTwo) {
  const Outcome one = storm("one", "--threads 1 -q");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const Outcome two = storm("two", "--threads 2 -q");
  ASSERT_EQ(two.exit_code, 0) << two.output;
  expect_same_results("one", "two");

  // 4 points x 4 metrics with their intervals, 12 runs.
  const std::vector<std::string> results = lines_of(read(path("one/results.csv")));
  ASSERT_EQ(results.size(), 1U + 16U);
  EXPECT_EQ(results[0], "point,web,burst,throttle,metric,n,mean,sd,ci95_low,ci95_high,ci95_half_width,runs,failed");
  EXPECT_THAT(results[1], HasSubstr("0,500,100,5/s,requests.latency_ms.p99,3,"));
  EXPECT_EQ(lines_of(read(path("one/runs.csv"))).size(), 1U + 12U);
  const Json json = Json::parse(read(path("one/results.json")));
  ASSERT_EQ(json["points"].size(), 4U);
  const Json& p99 = json["points"][3]["metrics"]["requests.latency_ms.p99"];
  EXPECT_EQ(p99["n"], 3);
  EXPECT_LE(p99["ci95"][0].get<double>(), p99["mean"].get<double>());
  EXPECT_GE(p99["ci95"][1].get<double>(), p99["mean"].get<double>());
  const std::string html = read(path("one/report.html"));
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
}

/// The number at a dotted path of summary.json.
double at_path(const Json& j, const std::string& path) {
  const Json* node = &j;
  std::istringstream parts(path);
  for (std::string key; std::getline(parts, key, '.');) node = &node->at(key);
  return node->get<double>();
}

TEST_F(SweepCli, ARowIsRepeatedAloneByMisimRunWithItsSeed) {
  const Outcome o = storm("sweep", "--threads 2 -q");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const Json results = Json::parse(read(path("sweep/results.json")));
  const Json& row = results["runs"][10];  // point 3, replication 1
  ASSERT_EQ(row["point"], 3);
  ASSERT_EQ(row["replication"], 1);
  const Json& params = results["points"][3]["params"];
  std::string sets;
  for (const auto& [name, value] : params.items()) {
    sets += " --set " + name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  const Outcome alone = misim("run " + kStormScenario + " --seed " + row["seed"].dump() + sets +
                              " --duration 550m -q --out " + path("alone"));
  ASSERT_THAT(alone.exit_code, testing::AnyOf(0, 1)) << alone.output;  // the scenario's expectations may not hold
  const Json summary = Json::parse(read(path("alone/summary.json")));
  EXPECT_EQ(summary["seed"], row["seed"]);
  for (const auto& [metric, value] : row["metrics"].items()) {
    EXPECT_EQ(at_path(summary, metric), value.get<double>()) << metric;
  }
}

TEST_F(SweepCli, ResumesAfterAStopAndRunsOnlyWhatWasUnfinished) {
  ASSERT_EQ(storm("reference", "--threads 1 -q").exit_code, 0);
  const Outcome stopped = storm("resumed", "--threads 2 -q --stop-after 5");
  EXPECT_EQ(stopped.exit_code, 130) << stopped.output;
  const std::vector<std::string> before = journal("resumed");
  ASSERT_EQ(before.size(), 1U + 5U) << "the header and five runs";
  EXPECT_FALSE(fs::exists(path("resumed/results.csv"))) << "no results from half a sweep";

  const Outcome resumed = storm("resumed", "--threads 2");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("resuming: 5 runs already finished"));
  EXPECT_THAT(resumed.output, HasSubstr("7 run now, 5 from the journal"));
  const std::vector<std::string> after = journal("resumed");
  ASSERT_EQ(after.size(), 1U + 12U);
  EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin())) << "the journal is only appended to";
  expect_same_results("reference", "resumed");
}

TEST_F(SweepCli, ResumesAfterBeingKilledAndRunsOnlyWhatWasUnfinished) {
  ASSERT_EQ(storm("reference", "--threads 1 -q").exit_code, 0);
  const std::string out = path("killed");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::freopen("/dev/null", "w", stderr);
    execl(MISIM_CLI, "misim", "sweep", kStormSweep.c_str(), "--out", out.c_str(), "--threads", "1", "-q",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill -9 once three runs are in the journal: a run takes tens of milliseconds, the poll two.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (journal("killed").size() < 1 + 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep ended before it could be killed";
  const std::vector<std::string> before = journal("killed");
  ASSERT_GE(before.size(), 1U + 3U);
  ASSERT_LT(before.size(), 1U + 12U);
  EXPECT_FALSE(fs::exists(path("killed/results.csv")));

  const Outcome resumed = storm("killed", "--threads 2");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const std::size_t done = before.size() - 1;
  EXPECT_THAT(resumed.output,
              HasSubstr(std::to_string(12 - done) + " run now, " + std::to_string(done) + " from the journal"));
  const std::vector<std::string> after = journal("killed");
  ASSERT_EQ(after.size(), 1U + 12U);
  EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin()));
  std::set<std::pair<int, int>> runs;
  for (std::size_t i = 1; i < after.size(); ++i) {
    const Json line = Json::parse(after[i]);
    runs.emplace(line["point"].get<int>(), line["replication"].get<int>());
  }
  EXPECT_EQ(runs.size(), 12U) << "no run twice";
  expect_same_results("reference", "killed");
}

TEST_F(SweepCli, RecordsAFailingRunWithItsErrorAndGoesOn) {
  write("gateway.yaml", kGatewayScenario);
  const std::string sweep = write("fails.sweep.yaml",
                                  "scenario: gateway.yaml\nparams: {servers: [2, 0]}\nreplications: 2\n"
                                  "metrics: [stages.gateway.wait_ms.mean]\nduration: 20s\n");
  const Outcome o = misim("sweep " + sweep + " -q --out " + path("out"));
  EXPECT_EQ(o.exit_code, 1) << o.output;
  EXPECT_THAT(o.output, HasSubstr("point 1 replication 0"));
  const std::vector<std::string> runs = lines_of(read(path("out/runs.csv")));
  ASSERT_EQ(runs.size(), 1U + 4U);
  EXPECT_THAT(runs[1], HasSubstr(",ok,"));
  EXPECT_THAT(runs[3], HasSubstr(",failed,"));
  EXPECT_THAT(runs[3], HasSubstr("gateway.yaml"));
  const std::vector<std::string> results = lines_of(read(path("out/results.csv")));
  EXPECT_THAT(results[1], HasSubstr("stages.gateway.wait_ms.mean,2,"));
  EXPECT_THAT(results[2], HasSubstr("stages.gateway.wait_ms.mean,0,,,,,,2,2"));
}

TEST_F(SweepCli, ABadSweepFileIsExit2WithItsPlaceAndWritesNothing) {
  write("gateway.yaml", kGatewayScenario);
  const std::string sweep = write("bad.sweep.yaml", "scenario: gateway.yaml\nmetrics: [a.b]\nparams: {rat: [1/s]}\n");
  const Outcome o = misim("sweep " + sweep + " --out " + path("out"));
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, HasSubstr("bad.sweep.yaml:3:10: error: the scenario has no param 'rat'"));
  EXPECT_FALSE(fs::exists(path("out")));
}

TEST_F(SweepCli, RefusesTheJournalOfAnotherSweepUnlessFresh) {
  write("gateway.yaml", kGatewayScenario);
  const std::string first = write("a.sweep.yaml", "scenario: gateway.yaml\nmetrics: [events]\nduration: 10s\n");
  ASSERT_EQ(misim("sweep " + first + " -q --out " + path("out")).exit_code, 0);
  const std::string second =
      write("b.sweep.yaml", "scenario: gateway.yaml\nmetrics: [events]\nduration: 10s\nseed: 8\n");
  const Outcome refused = misim("sweep " + second + " -q --out " + path("out"));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.output, HasSubstr("another sweep definition"));
  EXPECT_EQ(misim("sweep " + second + " -q --fresh --out " + path("out")).exit_code, 0);
}

TEST_F(SweepCli, CommonRandomNumbersGiveEveryPointTheSameSeeds) {
  write("gateway.yaml", kGatewayScenario);
  const std::string sweep = write("crn.sweep.yaml",
                                  "scenario: gateway.yaml\nparams: {servers: [2, 3]}\nreplications: 2\n"
                                  "metrics: [stages.gateway.wait_ms.mean]\nduration: 10s\n");
  ASSERT_EQ(misim("sweep " + sweep + " -q --crn --out " + path("out")).exit_code, 0);
  const Json runs = Json::parse(read(path("out/results.json")))["runs"];
  ASSERT_EQ(runs.size(), 4U);
  EXPECT_EQ(runs[0]["seed"], runs[2]["seed"]);
  EXPECT_EQ(runs[1]["seed"], runs[3]["seed"]);
  EXPECT_NE(runs[0]["seed"], runs[1]["seed"]);
}

TEST_F(SweepCli, APrecisionTargetGivesTheSameRunsFromOneThreadAndFromTwo) {
  write("gateway.yaml", kGatewayScenario);
  const std::string sweep = write("precise.sweep.yaml",
                                  "scenario: gateway.yaml\nparams: {servers: [2, 3]}\nreplications: 2\nduration: 20s\n"
                                  "metrics: [stages.gateway.wait_ms.mean]\n"
                                  "precision: {metric: stages.gateway.wait_ms.mean, relative_half_width: 0.05, "
                                  "max_replications: 10}\n");
  ASSERT_EQ(misim("sweep " + sweep + " -q --threads 1 --out " + path("one")).exit_code, 0);
  ASSERT_EQ(misim("sweep " + sweep + " -q --threads 2 --out " + path("two")).exit_code, 0);
  expect_same_results("one", "two");
  const Json points = Json::parse(read(path("one/results.json")))["points"];
  std::size_t runs = 0;
  for (const Json& p : points) {
    EXPECT_GE(p["runs"].get<std::size_t>(), 2U);
    EXPECT_LE(p["runs"].get<std::size_t>(), 10U);
    runs += p["runs"].get<std::size_t>();
  }
  EXPECT_GT(runs, 4U) << "a wait at 80% load over 20 s is too noisy for +-5% from two runs";
}

TEST_F(SweepCli, RunWithReplicationsIsASweepOfOnePoint) {
  const std::string scenario = write("gateway.yaml", kGatewayScenario);
  const Outcome o = misim("run " + scenario +
                          " --replications 4 --set servers=3 --duration 20s "
                          "--metric stages.gateway.wait_ms.mean --metric stages.gateway.utilization --out " +
                          path("out"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("stages.gateway.wait_ms.mean: "));
  EXPECT_THAT(o.output, HasSubstr("(95% CI, n=4)"));
  const std::vector<std::string> results = lines_of(read(path("out/results.csv")));
  ASSERT_EQ(results.size(), 1U + 2U);
  EXPECT_THAT(results[1], HasSubstr("0,3,stages.gateway.wait_ms.mean,4,"));
  EXPECT_EQ(lines_of(read(path("out/runs.csv"))).size(), 1U + 4U);

  // Another point into the same folder starts afresh, as misim run overwrites its output.
  const Outcome other =
      misim("run " + scenario + " --replications 2 --set servers=2 --duration 20s -q --out " + path("out"));
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_EQ(lines_of(read(path("out/runs.csv"))).size(), 1U + 2U);
}

TEST_F(SweepCli, RunWithReplicationsRefusesABadSetLikeRun) {
  const std::string scenario = write("gateway.yaml", kGatewayScenario);
  const Outcome o = misim("run " + scenario + " --replications 2 --set serverz=3 --out " + path("out"));
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, HasSubstr("no param 'serverz'"));
  EXPECT_FALSE(fs::exists(path("out")));
}

}  // namespace
}  // namespace misim
