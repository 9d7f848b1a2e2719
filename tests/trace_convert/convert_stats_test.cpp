// misim trace stats: summary.json's numbers from a trace, here from a synthetic one whose answers
// are known (tests/trace_convert/convert_run_test.cpp compares against summary.json of real runs).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "misim/histogram.hpp"
#include "misim/trace_stats.hpp"
#include "synthetic_trace.hpp"

namespace misim {
namespace {

using testing::SyntheticTrace;
using Json = nlohmann::json;

Json stats_of(const SyntheticTrace& trace) {
  TraceStatistics stats;
  EXPECT_TRUE(testing::feed(trace, stats).ok());
  return Json::parse(stats.json_text());
}

/// What summary.cpp writes for a histogram of these nanosecond values.
Json latency_of(std::initializer_list<SimTime> values) {
  Histogram h;
  for (SimTime v : values) h.record(static_cast<double>(v));
  return Json{{"count", h.count()},
              {"mean", h.mean() / 1e6},
              {"p50", h.percentile(0.5) / 1e6},
              {"p90", h.percentile(0.9) / 1e6},
              {"p99", h.percentile(0.99) / 1e6},
              {"max", h.max() / 1e6}};
}

constexpr SimTime kMs = kMillisecond;

TEST(TraceStatistics, CountsRequestsAsSummaryJsonDoes) {
  const Json j = stats_of(SyntheticTrace::standard());
  EXPECT_EQ(j["fingerprint"], "0123456789abcdef");
  const Json& r = j["requests"];
  // Attempts answered 200 (4) and the plain stage's customers served (3); a 503 from AAD's full
  // queue and the plain customer turned away.
  EXPECT_EQ(r["by_status"], (Json{{"200", 7}, {"401", 1}, {"429", 1}, {"503", 2}}));
  EXPECT_EQ(r["acquisitions"], 5);
  EXPECT_EQ(r["retries"], 2);
  EXPECT_EQ(r["failed_acquisitions"], 1);
  EXPECT_EQ(r["endpoint_cache_hits"], 1);
  EXPECT_EQ(r["calls"], 9);
  EXPECT_EQ(r["cache_hits"], 1);
  EXPECT_EQ(r["latency_ms"], latency_of({45 * kMs, 42 * kMs, 547 * kMs, 1 * kMs, 1034 * kMs}));
  EXPECT_EQ(j["access"], (Json{{"granted", 7}, {"denied", 2}}));
}

TEST(TraceStatistics, RecomputesStagesFromVisitsAfterTheWarmUp) {
  const Json j = stats_of(SyntheticTrace::standard());
  const Json& aad = j["stages"]["aad"];
  EXPECT_EQ(aad["arrivals"], 4);
  EXPECT_EQ(aad["completed"], 3);
  EXPECT_EQ(aad["rejected"], 1);
  EXPECT_EQ(aad["utilization"], 0.03125);
  // Request 4 reached AAD before the warm-up ended (1 s): not counted.
  EXPECT_EQ(aad["wait_ms"], latency_of({0, 5 * kMs, 0}));
  EXPECT_EQ(aad["sojourn_ms"], latency_of({40 * kMs, 45 * kMs, 30 * kMs}));
  const Json& checkout = j["stages"]["checkout"];
  EXPECT_EQ(checkout["wait_ms"], latency_of({0, 90 * kMs}));
  EXPECT_EQ(checkout["sojourn_ms"], latency_of({100 * kMs, 190 * kMs}));
}

TEST(TraceStatistics, MeasuresTheEndpointByItsAdmittedAttempts) {
  const Json j = stats_of(SyntheticTrace::standard());
  const Json& imds = j["stages"]["imds"];
  EXPECT_EQ(imds["arrivals"], 7);
  EXPECT_EQ(imds["rejected"], 1);
  EXPECT_EQ(imds["wait_ms"]["count"], 0);
  // Every attempt but the one turned away at once, from the start of the run.
  EXPECT_EQ(imds["sojourn_ms"], latency_of({45 * kMs, 42 * kMs, 47 * kMs, 1 * kMs, 2 * kMs, 32 * kMs}));
}

TEST(TraceStatistics, UsesSummaryJsonsStageNamesAndOrder) {
  const Json j = stats_of(SyntheticTrace::standard());
  std::vector<std::string> names;
  for (const auto& [name, stage] : j["stages"].items()) names.push_back(name);
  // nlohmann::json sorts keys; the text keeps summary.json's order.
  TraceStatistics stats;
  ASSERT_TRUE(testing::feed(SyntheticTrace::standard(), stats).ok());
  const std::string text = stats.json_text();
  EXPECT_LT(text.find("\"imds\""), text.find("\"aad\""));
  EXPECT_LT(text.find("\"aad\""), text.find("\"checkout\""));
  EXPECT_EQ(names, (std::vector<std::string>{"aad", "checkout", "imds"}));
}

TEST(TraceStatistics, LeavesOutWhatTheTraceLevelDidNotRecord) {
  SyntheticTrace t = SyntheticTrace::standard();
  t.header.level = TraceLevel::kRequests;
  std::erase_if(t.events, [](const TraceEvent& e) { return level_of(e.kind) > TraceLevel::kRequests; });
  const Json j = stats_of(t);
  EXPECT_FALSE(j["requests"].contains("calls"));
  EXPECT_FALSE(j.contains("access"));
  EXPECT_FALSE(j["stages"]["aad"].contains("arrivals"));
  EXPECT_TRUE(j["stages"]["aad"].contains("wait_ms"));
  EXPECT_EQ(j["requests"]["retries"], 2);
  EXPECT_EQ(j["trace"]["level"], "requests");
  EXPECT_EQ(j["trace"]["levels"]["requests.calls"], "all");
  EXPECT_EQ(j["trace"]["levels"]["stages.*.wait_ms"], "requests");
  const Json& unavailable = j["trace"]["unavailable"];
  EXPECT_NE(std::find(unavailable.begin(), unavailable.end(), "requests.calls"), unavailable.end());
  EXPECT_EQ(std::find(unavailable.begin(), unavailable.end(), "requests.by_status"), unavailable.end());
}

TEST(TraceStatistics, AddsUpSeveralAadRegionsAsSummaryJsonDoes) {
  SyntheticTrace t = SyntheticTrace::standard();
  t.header.run.stations.insert(t.header.run.stations.begin() + 2, StationInfo{"aad.westus", "aad", 4});
  for (TraceEvent& e : t.events) {
    if (e.station == testing::kCheckout) e.station = 3;  // the plain stage moves up one
  }
  TraceEvent west;
  west.kind = EventKind::kStationTotals;
  west.time = 60 * kSecond;
  west.station = 2;
  west.request = 0;
  west.value = 0.0;
  t.add(west);
  t.sort();
  const Json j = stats_of(t);
  EXPECT_EQ(j["stages"]["aad"]["regions"], 2);
  EXPECT_EQ(j["stages"]["aad"]["arrivals"], 4);
  EXPECT_EQ(j["stages"]["aad"]["utilization"], 0.03125 * 4 / 8);
  EXPECT_EQ(j["stages"]["aad.eastus"]["arrivals"], 4);
  EXPECT_EQ(j["stages"]["aad.westus"]["arrivals"], 0);
}

}  // namespace
}  // namespace misim
