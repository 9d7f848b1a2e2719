// Seeds, statistics and the plan of a sweep: which runs, in which order, what a journal saves,
// and how a precision target adds replications whatever order runs finish in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/summary.hpp"
#include "misim/sweep.hpp"
#include "scratch.hpp"

namespace misim {
namespace {

using testing::HasSubstr;

SweepDefinition grid(std::size_t points, std::size_t replications) {
  SweepDefinition s;
  s.seed = 11;
  s.replications = replications;
  s.metrics = {"m"};
  for (std::size_t p = 0; p < points; ++p) s.points.push_back({{"x", std::to_string(p)}});
  s.swept = {"x"};
  return s;
}

RunRecord record(const SweepRun& run, std::optional<double> value) {
  RunRecord r;
  r.run = run;
  r.ok = true;
  r.metrics = {value};
  return r;
}

TEST(SweepSeeds, DifferPerPointAndReplicationAndFitIn48Bits) {
  const SweepDefinition s = grid(20, 20);
  std::set<std::uint64_t> seen;
  for (std::size_t p = 0; p < 20; ++p) {
    for (std::size_t r = 0; r < 20; ++r) {
      const std::uint64_t seed = replication_seed(s, p, r);
      EXPECT_LT(seed, std::uint64_t{1} << 48);
      seen.insert(seed);
    }
  }
  EXPECT_EQ(seen.size(), 400U);
  SweepDefinition other = s;
  other.seed = 12;
  EXPECT_NE(replication_seed(s, 0, 0), replication_seed(other, 0, 0));
}

TEST(SweepSeeds, CommonRandomNumbersGiveEveryPointTheSameSeedPerReplication) {
  SweepDefinition s = grid(3, 2);
  s.common_random_numbers = true;
  EXPECT_EQ(replication_seed(s, 0, 1), replication_seed(s, 2, 1));
  EXPECT_NE(replication_seed(s, 0, 0), replication_seed(s, 0, 1));
}

TEST(SweepDefinitionHash, ChangesWithWhatDecidesARunButNotWithTheReplicationCount) {
  const SweepDefinition s = grid(2, 3);
  SweepDefinition more = s;
  more.replications = 10;
  EXPECT_EQ(sweep_definition_hash(s), sweep_definition_hash(more));
  SweepDefinition other_point = s;
  other_point.points[1][0].second = "7";
  EXPECT_NE(sweep_definition_hash(s), sweep_definition_hash(other_point));
  SweepDefinition other_scenario = s;
  other_scenario.scenario_text = "changed";
  EXPECT_NE(sweep_definition_hash(s), sweep_definition_hash(other_scenario));
  EXPECT_EQ(sweep_definition_hash(s).size(), 16U);
}

TEST(MetricStatistics, MeanSdAndTheStudentTInterval) {
  const MetricStatistics s = metric_statistics({1, 2, 3, 4, 5});
  EXPECT_EQ(s.n, 5U);
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  EXPECT_NEAR(s.sd, std::sqrt(2.5), 1e-12);
  // t(0.975, 4) = 2.776445 (to the 6 decimals of the table); standard error sqrt(2.5 / 5).
  EXPECT_NEAR(s.half_width(), 2.776445 * std::sqrt(0.5), 1e-6);
  EXPECT_NEAR(s.ci_low, 3.0 - s.half_width(), 1e-12);
}

TEST(MetricStatistics, OneValueHasAMeanButNoInterval) {
  const MetricStatistics one = metric_statistics({4});
  EXPECT_EQ(one.n, 1U);
  EXPECT_DOUBLE_EQ(one.mean, 4);
  EXPECT_TRUE(std::isnan(one.sd));
  EXPECT_TRUE(std::isnan(one.ci_low));
  EXPECT_TRUE(std::isnan(metric_statistics({}).mean));
}

TEST(SweepPlan, HandsOutRunsInPointThenReplicationOrder) {
  const SweepDefinition s = grid(2, 2);
  SweepPlan plan(s, {});
  std::vector<std::pair<std::size_t, std::size_t>> order;
  while (std::optional<SweepRun> run = plan.next()) {
    order.emplace_back(run->point, run->replication);
    EXPECT_EQ(run->seed, replication_seed(s, run->point, run->replication));
  }
  EXPECT_EQ(order, (std::vector<std::pair<std::size_t, std::size_t>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}}));
  EXPECT_FALSE(plan.done()) << "started, not finished";
}

TEST(SweepPlan, KeepsRecordsInOrderWhateverOrderTheyFinishIn) {
  const SweepDefinition s = grid(2, 3);
  SweepPlan plan(s, {});
  std::vector<SweepRun> runs;
  while (std::optional<SweepRun> run = plan.next()) runs.push_back(*run);
  std::reverse(runs.begin(), runs.end());
  for (const SweepRun& run : runs) plan.complete(record(run, 1.0));
  ASSERT_TRUE(plan.done());
  const std::vector<RunRecord> records = plan.records();
  ASSERT_EQ(records.size(), 6U);
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].run.point, i / 3);
    EXPECT_EQ(records[i].run.replication, i % 3);
  }
}

TEST(SweepPlan, TakesFinishedRunsFromTheJournalInsteadOfRunningThemAgain) {
  const SweepDefinition s = grid(2, 2);
  const std::vector<RunRecord> journal = {record({1, 0, replication_seed(s, 1, 0)}, 5.0),
                                          record({0, 1, replication_seed(s, 0, 1)}, 6.0),
                                          record({0, 0, 12345}, 7.0)};  // a seed of another sweep: not this run
  SweepPlan plan(s, journal);
  EXPECT_EQ(plan.resumed(), 2U);
  std::vector<std::pair<std::size_t, std::size_t>> order;
  while (std::optional<SweepRun> run = plan.next()) {
    order.emplace_back(run->point, run->replication);
    plan.complete(record(*run, 1.0));
  }
  EXPECT_EQ(order, (std::vector<std::pair<std::size_t, std::size_t>>{{0, 0}, {1, 1}}));
  EXPECT_TRUE(plan.done());
  EXPECT_EQ(plan.records().size(), 4U);
}

/// Runs a plan to the end, finishing each wave's runs in the order `shuffle` gives.
std::vector<RunRecord> run_plan(const SweepDefinition& s, double (*value)(const SweepRun&), bool reverse) {
  SweepPlan plan(s, {});
  while (!plan.done()) {
    std::vector<SweepRun> wave;
    while (std::optional<SweepRun> run = plan.next()) wave.push_back(*run);
    if (reverse) std::reverse(wave.begin(), wave.end());
    for (const SweepRun& run : wave) plan.complete(record(run, value(run)));
  }
  return plan.records();
}

double steady(const SweepRun& /*run*/) { return 10.0; }
// Noisy around 100 at point 0, nearly steady at point 1.
double noisy(const SweepRun& run) {
  const double u = static_cast<double>(run.seed % 1000) / 1000.0;
  return run.point == 0 ? 100 + 60 * (u - 0.5) : 100 + 0.1 * (u - 0.5);
}

TEST(SweepPlan, APrecisionTargetStopsAPointOnceItsIntervalIsNarrowEnough) {
  SweepDefinition s = grid(1, 3);
  s.precision = PrecisionTarget{0, 0.05, 20};
  EXPECT_EQ(run_plan(s, steady, false).size(), 3U) << "no spread: the first wave is enough";
}

TEST(SweepPlan, APrecisionTargetAddsReplicationsToTheNoisyPointOnlyAndNeverBeyondTheMaximum) {
  SweepDefinition s = grid(2, 3);
  s.precision = PrecisionTarget{0, 0.01, 40};
  const std::vector<RunRecord> records = run_plan(s, noisy, false);
  const auto at_point = [&](std::size_t p) {
    return std::count_if(records.begin(), records.end(), [&](const RunRecord& r) { return r.run.point == p; });
  };
  EXPECT_GT(at_point(0), 3);
  EXPECT_LE(at_point(0), 40);
  EXPECT_EQ(at_point(1), 3);
}

TEST(SweepPlan, APrecisionTargetDecidesTheSameWhateverOrderRunsFinishIn) {
  SweepDefinition s = grid(2, 3);
  s.precision = PrecisionTarget{0, 0.02, 30};
  const std::vector<RunRecord> forward = run_plan(s, noisy, false);
  const std::vector<RunRecord> backward = run_plan(s, noisy, true);
  ASSERT_EQ(forward.size(), backward.size());
  for (std::size_t i = 0; i < forward.size(); ++i) {
    EXPECT_EQ(forward[i].run.point, backward[i].run.point);
    EXPECT_EQ(forward[i].run.replication, backward[i].run.replication);
  }
}

TEST(SweepPlan, APointWhoseRunsAllFailGetsNoMoreReplications) {
  SweepDefinition s = grid(1, 2);
  s.precision = PrecisionTarget{0, 0.05, 20};
  SweepPlan plan(s, {});
  while (std::optional<SweepRun> run = plan.next()) {
    RunRecord failed;
    failed.run = *run;
    failed.error = "bad param";
    failed.metrics = {std::nullopt};
    plan.complete(failed);
  }
  EXPECT_TRUE(plan.done());
  EXPECT_EQ(plan.failed(), 2U);
}

TEST(SweepSummary, CountsFailuresAndLeavesMissingValuesOut) {
  const SweepDefinition s = grid(1, 3);
  RunRecord failed;
  failed.run = {0, 2, 0};
  failed.error = "x";
  failed.metrics = {std::nullopt};
  const std::vector<PointSummary> points =
      summarise_points(s, {record({0, 0, 0}, 2.0), record({0, 1, 0}, std::nullopt), failed});
  ASSERT_EQ(points.size(), 1U);
  EXPECT_EQ(points[0].runs, 3U);
  EXPECT_EQ(points[0].failed, 1U);
  EXPECT_EQ(points[0].metrics[0].n, 1U);
  EXPECT_DOUBLE_EQ(points[0].metrics[0].mean, 2.0);
}

class SweepRunning : public testing_sweep::Scratch {};

TEST_F(SweepRunning, AReplicationGivesTheNumbersOfARunOfTheScenarioWithItsSeed) {
  const std::string scenario = write("gateway.yaml", testing_sweep::kGatewayScenario);
  Result<SweepDefinition> s = load_sweep_text(
      "scenario: gateway.yaml\nparams: {servers: [3]}\nmetrics: [stages.gateway.wait_ms.p99, events, nothing.here]\n",
      path("s.sweep.yaml"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const SweepRun run{0, 1, replication_seed(*s, 0, 1)};
  const std::optional<RunRecord> r = run_sweep_replication(*s, run);
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->ok) << r->error;

  ScenarioOverrides o;
  o.seed = run.seed;
  o.params = {{"servers", "3"}};
  Result<Scenario> direct = load_scenario_file(scenario, o);
  ASSERT_TRUE(direct.ok());
  Simulation simulation(direct->simulation);
  simulation.run();
  simulation.finish(false);
  const Summary summary(*direct, simulation, Execution{});
  EXPECT_EQ(r->metrics[0], summary.metric("stages.gateway.wait_ms.p99"));
  EXPECT_EQ(r->metrics[1], summary.metric("events"));
  EXPECT_FALSE(r->metrics[2].has_value()) << "a path summary.json does not have";
  EXPECT_EQ(r->events, simulation.executed_events());
}

TEST_F(SweepRunning, ABadParamValueFailsThatRunWithTheScenariosError) {
  write("gateway.yaml", testing_sweep::kGatewayScenario);
  Result<SweepDefinition> s =
      load_sweep_text("scenario: gateway.yaml\nparams: {servers: [2, -1]}\nmetrics: [stages.gateway.wait_ms.p99]\n",
                      path("s.sweep.yaml"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const std::optional<RunRecord> good = run_sweep_replication(*s, {0, 0, 1});
  const std::optional<RunRecord> bad = run_sweep_replication(*s, {1, 0, 1});
  ASSERT_TRUE(good && bad);
  EXPECT_TRUE(good->ok);
  EXPECT_FALSE(bad->ok);
  EXPECT_THAT(bad->error, HasSubstr("gateway.yaml"));
}

TEST_F(SweepRunning, AStopAbandonsTheRun) {
  write("gateway.yaml", testing_sweep::kGatewayScenario);
  Result<SweepDefinition> s =
      load_sweep_text("scenario: gateway.yaml\nmetrics: [stages.gateway.wait_ms.p99]\n", path("s.sweep.yaml"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const std::atomic<bool> stop{true};
  EXPECT_FALSE(run_sweep_replication(*s, {0, 0, 1}, &stop).has_value());
}

}  // namespace
}  // namespace misim
