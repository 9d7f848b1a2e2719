// Sweep files: the grid and the list of points, defaults, and errors at FILE:LINE:COL that say
// what to change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "misim/sweep.hpp"
#include "scenario_loading.hpp"
#include "scratch.hpp"

namespace misim {
namespace {

using testing::HasSubstr;
using testing_sweep::kGatewayScenario;

class SweepFile : public testing_sweep::Scratch {
 protected:
  void SetUp() override {
    Scratch::SetUp();
    write("scenarios/gateway.yaml", kGatewayScenario);
  }
  Result<SweepDefinition> load(const std::string& text) { return load_sweep_file(write("sweeps/s.sweep.yaml", text)); }
  Error error_of(const std::string& text) { return test_support::error_of(load(text)); }
};

TEST_F(SweepFile, AGridIsTheProductOfItsParamsWithTheFirstVaryingSlowest) {
  Result<SweepDefinition> s = load(R"(scenario: ../scenarios/gateway.yaml
params:
  servers: [1, 2]
  rate: [10/s, 20/s, 30/s]
replications: 4
metrics: [stages.gateway.wait_ms.mean]
)");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->name, "s");
  ASSERT_EQ(s->points.size(), 6U);
  EXPECT_EQ(s->swept, (std::vector<std::string>{"servers", "rate"}));
  EXPECT_EQ(s->points[0], (SweepPoint{{"servers", "1"}, {"rate", "10/s"}}));
  EXPECT_EQ(s->points[2], (SweepPoint{{"servers", "1"}, {"rate", "30/s"}}));
  EXPECT_EQ(s->points[3], (SweepPoint{{"servers", "2"}, {"rate", "10/s"}}));
  EXPECT_EQ(s->replications, 4U);
  EXPECT_EQ(s->seed, 5U) << "the scenario's seed when the sweep names none";
  EXPECT_FALSE(s->common_random_numbers);
  EXPECT_THAT(s->scenario_text, HasSubstr("name: gateway"));
}

TEST_F(SweepFile, PointsLeftOutKeepTheScenariosValue) {
  Result<SweepDefinition> s = load(R"(scenario: ../scenarios/gateway.yaml
points:
  - {rate: 10/s}
  - {rate: 20/s, servers: 3}
metrics: [stages.gateway.wait_ms.mean]
seed: 99
common_random_numbers: true
duration: 30s
)");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  ASSERT_EQ(s->points.size(), 2U);
  EXPECT_EQ(s->points[0], (SweepPoint{{"rate", "10/s"}, {"servers", "2"}}));
  EXPECT_EQ(s->points[1], (SweepPoint{{"rate", "20/s"}, {"servers", "3"}}));
  EXPECT_EQ(s->seed, 99U);
  EXPECT_TRUE(s->common_random_numbers);
  EXPECT_EQ(s->duration, 30 * kSecond);
}

TEST_F(SweepFile, APrecisionTargetAddsItsMetricAndNeedsTwoReplicationsFirst) {
  Result<SweepDefinition> s = load(R"(scenario: ../scenarios/gateway.yaml
replications: 3
metrics: [stages.gateway.utilization]
precision: {metric: stages.gateway.wait_ms.mean, relative_half_width: 0.1, max_replications: 12}
)");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  ASSERT_TRUE(s->precision.has_value());
  EXPECT_EQ(s->metrics.size(), 2U);
  EXPECT_EQ(s->metrics[s->precision->metric], "stages.gateway.wait_ms.mean");
  EXPECT_EQ(s->precision->max_replications, 12U);
  EXPECT_DOUBLE_EQ(s->precision->relative_half_width, 0.1);

  const Error e = error_of(R"(scenario: ../scenarios/gateway.yaml
metrics: [stages.gateway.utilization]
precision: {metric: stages.gateway.utilization}
)");
  EXPECT_THAT(e.message, HasSubstr("'replications' of at least 2"));
  EXPECT_EQ(e.place.line, 3);
}

TEST_F(SweepFile, AnUnknownKeyIsPlacedAndAnswersWithTheNearestKey) {
  const Error e = error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b]\nreplication: 3\n");
  EXPECT_THAT(e.to_string(), HasSubstr("s.sweep.yaml:3:1: error: unknown key 'replication'"));
  EXPECT_THAT(e.message, HasSubstr("did you mean 'replications'?"));
}

TEST_F(SweepFile, AParamTheScenarioDoesNotHaveIsPlacedAtItsName) {
  const Error e = error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b]\nparams:\n  rates: [1/s, 2/s]\n");
  EXPECT_EQ(e.place.line, 4);
  EXPECT_EQ(e.place.column, 3);
  EXPECT_THAT(e.message, HasSubstr("no param 'rates'; its params are 'rate', 'servers'"));
}

TEST_F(SweepFile, MistakesInValuesAreErrorsWithTheirPlace) {
  EXPECT_THAT(error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b]\nreplications: 0\n").message,
              HasSubstr("'replications' must be a whole number from 1"));
  EXPECT_THAT(error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b]\nparams: {rate: []}\n").message,
              HasSubstr("lists no values"));
  EXPECT_THAT(error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b]\nparams: {rate: [1/s, 1/s]}\n").message,
              HasSubstr("lists '1/s' twice"));
  EXPECT_THAT(error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a..b]\n").message, HasSubstr("dotted path"));
  EXPECT_THAT(error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b]\nduration: soon\n").message,
              HasSubstr("'duration' must be a duration"));
  EXPECT_THAT(
      error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b]\nparams: {rate: [1/s]}\npoints: []\n").message,
      HasSubstr("either 'params' (a grid) or 'points'"));
  const Error no_metrics = error_of("scenario: ../scenarios/gateway.yaml\n");
  EXPECT_THAT(no_metrics.message, HasSubstr("needs 'metrics'"));
  EXPECT_EQ(no_metrics.place.line, 1);
}

TEST_F(SweepFile, AMissingScenarioIsPlacedAtTheSweepsScenarioKey) {
  const Error e = error_of("metrics: [a.b]\nscenario: nowhere.yaml\n");
  EXPECT_EQ(e.place.line, 2);
  EXPECT_EQ(e.place.column, 11);
  EXPECT_THAT(e.message, HasSubstr("cannot read the scenario"));
}

TEST_F(SweepFile, AScenarioErrorKeepsTheScenariosOwnPlace) {
  write("scenarios/broken.yaml", "name: broken\nduration: 10\n");
  const Error e = error_of("scenario: ../scenarios/broken.yaml\nmetrics: [a.b]\n");
  EXPECT_THAT(e.place.file, HasSubstr("broken.yaml"));
  EXPECT_EQ(e.place.line, 2);
}

TEST_F(SweepFile, BrokenYamlIsAnErrorWithItsPlace) {
  const Error e = error_of("scenario: ../scenarios/gateway.yaml\nmetrics: [a.b\n");
  EXPECT_THAT(e.message, HasSubstr("YAML"));
  EXPECT_GT(e.place.line, 0);
}

}  // namespace
}  // namespace misim
