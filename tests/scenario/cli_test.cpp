// The command line's contract (design.md, "Command line and outputs"): exit codes 0/1/2, errors as
// FILE:LINE:COL, summary.json written atomically and never on bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "command.hpp"
#include "temp_dir_test.hpp"

namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

using misim::test_support::Outcome;
using misim::test_support::run_cli;

class Cli : public misim::test_support::TempDirTest {
 protected:
  Cli() : TempDirTest("misim_cli_test_") {}
};

TEST_F(Cli, PrintsItsVersion) {
  const Outcome o = run_cli("--version");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("misim 0."));
}

TEST_F(Cli, HelpListsTheSubcommands) {
  const Outcome o = run_cli("--help");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("run"));
  EXPECT_THAT(o.output, HasSubstr("validate"));
}

TEST_F(Cli, UsageErrorsExitWith2) {
  EXPECT_EQ(run_cli("").exit_code, 2);
  EXPECT_EQ(run_cli("frobnicate").exit_code, 2);
  EXPECT_EQ(run_cli("run").exit_code, 2);
  EXPECT_EQ(run_cli("run x.yaml --trace everything").exit_code, 2);
}

TEST_F(Cli, RunsTheQuickstartAndWritesTheSummary) {
  const fs::path out = dir_ / "out";
  const Outcome o = run_cli("run " MISIM_SOURCE_DIR "/scenarios/quickstart.yaml --quiet --out " + out.string());
  EXPECT_EQ(o.exit_code, 0) << o.output;
  ASSERT_TRUE(fs::exists(out / "summary.json"));
  std::ifstream in(out / "summary.json");
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* field :
       {"\"scenario\"",    "\"seed\"",       "\"params\"",      "\"sim_time_s\"", "\"events\"",    "\"wall_s\"",
        "\"fingerprint\"", "\"stages\"",     "\"arrivals\"",    "\"completed\"",  "\"rejected\"",  "\"utilization\"",
        "\"wait_ms\"",     "\"sojourn_ms\"", "\"p99\"",         "\"requests\"",   "\"by_status\"", "\"cache_hits\"",
        "\"latency_ms\"",  "\"access\"",     "\"expectations\""}) {
    EXPECT_THAT(json, HasSubstr(field));
  }
  // No partial files are left behind.
  for (const auto& entry : fs::directory_iterator(out))
    EXPECT_EQ(entry.path().filename().string().rfind(".", 0), std::string::npos);
}

TEST_F(Cli, BadInputExitsWith2AtItsPlaceAndWritesNothing) {
  const std::string file = write("bad.yaml", "name: x\nduration: 10\n");
  const fs::path out = dir_ / "out";
  const Outcome o = run_cli("run " + file + " --out " + out.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, HasSubstr(file + ":2:11: error: "));
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(Cli, AFailedExpectationExitsWith1) {
  const std::string file = write("fails.yaml", R"(# an expectation that cannot hold
name: x
duration: 1m
services: {aad: {servers: 1, latency: 10ms}}
workload: [{stage: aad, rate: 50/s}]
expect: [{metric: stages.aad.utilization, below: 0.1}]
)");
  const Outcome o = run_cli("run " + file + " --quiet --out " + (dir_ / "out").string());
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.output, HasSubstr("expectation failed"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "summary.json"));
}

TEST_F(Cli, SetChangesTheResultAndSeedChangesTheFingerprint) {
  const std::string q = MISIM_SOURCE_DIR "/scenarios/quickstart.yaml --quiet ";
  auto summary = [&](const std::string& args, const std::string& name) {
    run_cli("run " + q + args + " --out " + (dir_ / name).string());
    std::ifstream in(dir_ / name / "summary.json");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  auto fingerprint = [](const std::string& json) {
    const auto at = json.find("\"fingerprint\"");
    return json.substr(at, 40);
  };
  const std::string base = summary("", "a");
  const std::string again = summary("", "b");
  const std::string reseeded = summary("--seed 7", "c");
  const std::string more = summary("--set rate=200/s", "d");
  EXPECT_EQ(fingerprint(base), fingerprint(again));
  EXPECT_NE(fingerprint(base), fingerprint(reseeded));
  EXPECT_NE(fingerprint(base), fingerprint(more));
  EXPECT_THAT(more, HasSubstr("\"rate\": \"200/s\""));
}

TEST_F(Cli, ValidateAcceptsTheLibraryAndRejectsBadFiles) {
  EXPECT_EQ(run_cli("validate " MISIM_SOURCE_DIR "/scenarios/quickstart.yaml").exit_code, 0);
  const std::string file = write("typo.yaml", "name: x\nduraton: 1s\n");
  const Outcome o = run_cli("validate " + file);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, HasSubstr(file + ":2:1: error: unknown key 'duraton'"));
}

TEST_F(Cli, GraphPrintsDotWithTheEstatesEntities) {
  const Outcome o = run_cli("graph " MISIM_SOURCE_DIR "/scenarios/deletion/delete-shared-user-assigned.yaml");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("digraph"));
  EXPECT_THAT(o.output, HasSubstr("web-4"));
  EXPECT_THAT(o.output, HasSubstr("web-id"));
}

TEST_F(Cli, GraphAtATimeAppliesTheTimelineUpToIt) {
  const std::string file = MISIM_SOURCE_DIR "/scenarios/deletion/delete-shared-user-assigned.yaml";
  const Outcome before = run_cli("graph " + file + " --format json --at 1h");
  const Outcome after = run_cli("graph " + file + " --format json --at 3h");
  EXPECT_EQ(before.exit_code, 0);
  EXPECT_EQ(after.exit_code, 0);
  EXPECT_THAT(before.output, HasSubstr("\"web-id\""));
  EXPECT_THAT(after.output, testing::Not(HasSubstr("\"name\": \"web-id\"")));
  EXPECT_THAT(after.output, HasSubstr("\"orphaned\": true"));
}

TEST_F(Cli, ImpactOfDeletingASharedIdentityListsEveryVmAndTheOrphanedAssignment) {
  const Outcome o =
      run_cli("impact " MISIM_SOURCE_DIR "/scenarios/deletion/delete-shared-user-assigned.yaml --delete web-id");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  for (int i = 0; i < 5; ++i) EXPECT_THAT(o.output, HasSubstr("web-" + std::to_string(i)));
  EXPECT_THAT(o.output, HasSubstr("Identity not found"));
  const Outcome json =
      run_cli("impact " MISIM_SOURCE_DIR "/scenarios/deletion/delete-shared-user-assigned.yaml --delete web-id --json");
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_THAT(json.output, HasSubstr("{"));
}

TEST_F(Cli, ImpactOfAnUnknownNameExitsWith2) {
  const Outcome o =
      run_cli("impact " MISIM_SOURCE_DIR "/scenarios/deletion/delete-shared-user-assigned.yaml --delete nobody");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, HasSubstr("nobody"));
}

TEST_F(Cli, ALifecycleErrorInTheTopologyIsPlaced) {
  const std::string file = write("twice.yaml",
                                 "name: x\nduration: 1h\ntopology:\n  identities: [{name: id1}]\n  resources:\n    - "
                                 "{name: vm1, type: vm, user_assigned: [id1, id1]}\n");
  const Outcome o = run_cli("validate " + file);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, HasSubstr(file + ":6:"));
  EXPECT_THAT(o.output, HasSubstr("already attached"));
}

TEST_F(Cli, ExplainTellsADeletionAtItsTimeWithWhatItBreaks) {
  const Outcome o = run_cli("explain " MISIM_SOURCE_DIR "/scenarios/deletion/delete-shared-user-assigned.yaml");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("00:00:00.000 the estate: "));
  EXPECT_THAT(o.output, HasSubstr("02:00:00.000 user-assigned identity web-id deleted; it is detached from 5 VMs "
                                  "(web-0 ... web-4)"));
  EXPECT_THAT(o.output, HasSubstr("now orphaned ('Identity not found')"));
  EXPECT_THAT(run_cli("--help").output, HasSubstr("explain"));
}

TEST_F(Cli, ExplainWithFocusSetAndSeedTellsOnlyTheFocus) {
  const Outcome o = run_cli("explain " MISIM_SOURCE_DIR
                            "/scenarios/deletion/delete-shared-user-assigned.yaml --focus web-7 --set vms=10 --seed 3");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("seed 3"));
  EXPECT_THAT(o.output, HasSubstr("VM web-7 loses Key Vault Secrets User on vault"));
  EXPECT_THAT(o.output, testing::Not(HasSubstr("web-8")));
}

TEST_F(Cli, ExplainOfBadInputOrAnUnknownFocusExitsWith2) {
  const std::string file = write("bad.yaml", "name: x\nduration: 10\n");
  const Outcome bad = run_cli("explain " + file);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr(file + ":2:11: error: "));
  const Outcome focus =
      run_cli("explain " MISIM_SOURCE_DIR "/scenarios/deletion/delete-shared-user-assigned.yaml --focus nobody");
  EXPECT_EQ(focus.exit_code, 2);
  EXPECT_THAT(focus.output, HasSubstr("nobody"));
  EXPECT_EQ(run_cli("explain " MISIM_SOURCE_DIR "/scenarios/quickstart.yaml --set nope=1").exit_code, 2);
}

TEST_F(Cli, MaxMemoryRefusesAScenarioAboveItBeforeRunningAndSaysTheEstimate) {
  const std::string file = MISIM_SOURCE_DIR "/scenarios/capacity/aad-outage.yaml";
  const fs::path out = dir_ / "out";
  const Outcome o = run_cli("run " + file + " --max-memory 40MiB --quiet --out " + out.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, testing::MatchesRegex(".*aad-outage.yaml:[0-9]+:[0-9]+: error: this scenario would need "
                                              "about [0-9.]+ MiB of memory, above the limit of 40.0 MiB "
                                              "\\(--max-memory\\).*"));
  EXPECT_FALSE(fs::exists(out));
  for (const char* command : {"validate", "explain", "graph", "impact"}) {
    const std::string extra = std::string(command) == "impact" ? " --delete web-id" : "";
    EXPECT_EQ(run_cli(std::string(command) + " " + file + extra + " --max-memory 40MiB").exit_code, 2) << command;
  }
  EXPECT_EQ(run_cli("validate " + file + " --max-memory 4GiB").exit_code, 0);
}

TEST_F(Cli, MaxMemoryRejectsASizeWithoutAKnownUnit) {
  const Outcome o = run_cli("validate " MISIM_SOURCE_DIR "/scenarios/quickstart.yaml --max-memory 12XB");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.output, HasSubstr("error: --max-memory: memory size '12XB' has an unknown unit 'XB'"));
}

TEST_F(Cli, ValidateTakesSetAndReportsTheEstimate) {
  const std::string file = MISIM_SOURCE_DIR "/scenarios/capacity/aad-outage.yaml";
  const Outcome o = run_cli("validate " + file + " --set fleet=2000");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_THAT(o.output, HasSubstr("estimated peak memory"));
  EXPECT_THAT(o.output, HasSubstr("(2501 resources"));
  EXPECT_EQ(run_cli("validate " + file + " --set flet=2000").exit_code, 2);
}

TEST_F(Cli, AScenarioThatExtendsAnotherRunsAndAnErrorInItsBaseIsPlacedThere) {
  const Outcome ok = run_cli("validate " MISIM_SOURCE_DIR "/scenarios/teaching/shared-identity-short-tokens.yaml");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  write("base.yaml", "name: base\nduration: 1h\nservices: {g: {latency: 1ms, servrs: 2}}\n");
  const std::string child = write("child.yaml", "extends: base.yaml\nname: child\n");
  const Outcome bad = run_cli("run " + child + " --out " + (dir_ / "out").string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr((dir_ / "base.yaml").string() + ":3:30: error: unknown key 'servrs'"));
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace
