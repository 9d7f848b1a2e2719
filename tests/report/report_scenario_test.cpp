// report.html from the model's own events: every scenario of the library renders a well-formed,
// self-contained page, and the collector's totals agree with summary.json's, which the model
// counts by other means (so the collector reads each event kind as the model means it).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "html_check.hpp"
#include "library_scenarios.hpp"
#include "misim/report.hpp"
#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/summary.hpp"
#include "scenario_run.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;

struct ReportedRun : testing::ScenarioRun {
  std::string html;
};

ReportedRun run(const fs::path& file, const ScenarioOverrides& overrides = {}) {
  ReportedRun r;
  static_cast<testing::ScenarioRun&>(r) = testing::run_scenario(load_scenario_file(file.string(), overrides), true);
  if (!r.summary) return r;
  r.html =
      render_report_html(report_input(r.scenario, *r.collector, r.summary->json_text(), &r.simulation->directory()));
  return r;
}

double metric(const ReportedRun& r, std::string_view path) { return r.summary->metric(path).value_or(-1); }

TEST(ReportScenario, EveryLibraryScenarioGivesAWellFormedSelfContainedPage) {
  const std::vector<std::string> files = test_support::library_scenario_files();
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const ReportedRun r = run(file);
    EXPECT_EQ(testing::tag_nesting_error(r.html), "");
    EXPECT_EQ(r.html.find("http://"), std::string::npos);
    EXPECT_EQ(r.html.find("https://"), std::string::npos);
    EXPECT_EQ(r.html.find("<script"), std::string::npos);
    EXPECT_LT(r.html.size(), 2u * 1024 * 1024);
    EXPECT_NE(r.html.find(r.scenario.name), std::string::npos);
  }
}

TEST(ReportScenario, CountsWhatTheSummaryCounts) {
  const ReportedRun r = run(fs::path(MISIM_SOURCE_DIR) / "scenarios/capacity/aad-outage.yaml",
                            {.seed = {}, .duration = {}, .params = {{"fleet", "1000"}, {"batch", "100"}}});
  const ReportCollector& c = *r.collector;
  EXPECT_EQ(c.outcome_total(RequestOutcome::k5xx), metric(r, "requests.by_status.503"));
  EXPECT_EQ(c.outcome_total(RequestOutcome::k200) + c.outcome_total(RequestOutcome::k200Cached),
            metric(r, "requests.by_status.200"));
  EXPECT_EQ(c.outcome_total(RequestOutcome::k200Cached), metric(r, "requests.endpoint_cache_hits"));
  EXPECT_EQ(c.outcome_total(RequestOutcome::kCallCached), metric(r, "requests.cache_hits"));
  EXPECT_EQ(c.outcome_total(RequestOutcome::kCallCached) + c.outcome_total(RequestOutcome::kCallGranted) +
                c.outcome_total(RequestOutcome::kCallDenied),
            metric(r, "requests.calls"));
  EXPECT_EQ(c.outcome_total(RequestOutcome::kCallDenied), metric(r, "access.denied"));
  EXPECT_EQ(c.access_pairs().size(), metric(r, "access.pair_count"));
  EXPECT_EQ(c.pairs_with_denials(), metric(r, "access.pairs_with_denials"));
  std::uint64_t acquisitions = 0;
  for (const Histogram& h : c.acquisition_latency().buckets) acquisitions += h.count();
  EXPECT_EQ(acquisitions, metric(r, "requests.latency_ms.count"));

  // The outage is a marker, and the batch VMs' first denials fall inside it.
  ASSERT_EQ(c.markers().size(), 1u);
  EXPECT_EQ(c.markers()[0].kind, LifecycleMarker::Kind::kFault);
  EXPECT_EQ(c.markers()[0].begin, 12 * kHour);
  EXPECT_EQ(c.markers()[0].end, 12 * kHour + 30 * kMinute);
  EXPECT_NE(r.html.find("denied 12:1"), std::string::npos);
  EXPECT_NE(r.html.find("AAD outage"), std::string::npos);
}

TEST(ReportScenario, ShowsWhenADeletedIdentityCostsAccess) {
  const ReportedRun r = run(fs::path(MISIM_SOURCE_DIR) / "scenarios/teaching/shared-identity-deleted.yaml");
  EXPECT_EQ(r.collector->pairs_with_denials(), metric(r, "access.pairs_with_denials"));
  EXPECT_GT(r.collector->pairs_with_denials(), 0u);
  EXPECT_NE(r.html.find("delete &#39;web-id&#39;"), std::string::npos);  // the operation's marker
  EXPECT_NE(r.html.find(": no token</text>"), std::string::npos);        // why access ended
  EXPECT_NE(r.html.find("identity not found"), std::string::npos);       // the orphaned assignment
}

}  // namespace
}  // namespace misim
