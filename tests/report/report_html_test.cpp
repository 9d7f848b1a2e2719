// render_report_html: a well-formed, self-contained page with every section, text escaped, the
// expectations from summary.json, and a size that stays small for a 10,000-VM fleet.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "html_check.hpp"
#include "misim/report.hpp"
#include "synthetic_fleet.hpp"

namespace misim {
namespace {

constexpr std::string_view kSummary = R"json({
  "scenario": "fleet", "seed": 7, "fingerprint": "0123456789abcdef", "events": 1234567, "wall_s": 2.5,
  "requests": {"acquisitions": 30000, "calls": 840000, "cache_hits": 800000,
               "by_status": {"200": 29000, "429": 12, "503": 1500},
               "latency_ms": {"p50": 45.0, "p99": 7012.5}},
  "access": {"pair_count": 10000, "pairs_with_denials": 500},
  "expectations": [
    {"expect": "access web-0 -> vault granted: always", "where": "f.yaml:30", "met": true},
    {"expect": "requests.by_status.503 above 500", "where": "f.yaml:31", "met": true, "actual": 1500},
    {"expect": "stages.aad.wait_ms.p99 below 5", "where": "f.yaml:32", "met": false, "actual": 12.5,
     "detail": "actual value 12.5"}],
  "expectations_met": false
})json";

struct Rendered {
  std::string html;
};

Rendered render_fleet(const testing::SyntheticFleet& fleet, bool with_directory, std::string name = "fleet") {
  ReportCollector collector;
  testing::feed_synthetic_fleet(collector, fleet);
  const Directory dir = testing::synthetic_fleet_directory(fleet);
  ReportInput in;
  in.collector = &collector;
  in.scenario_name = std::move(name);
  in.description = "A synthetic fleet: AAD east is down 12:00-12:30.";
  in.scenario_file = "scenarios/capacity/fleet.yaml";
  in.seed = 7;
  in.params = {{"vms", std::to_string(fleet.vms)}, {"rate", "1/10min"}};
  in.summary_json = std::string(kSummary);
  in.directory = with_directory ? &dir : nullptr;
  return {render_report_html(in)};
}

TEST(ReportHtml, NestsEveryElementProperly) {
  const Rendered r = render_fleet({.vms = 200, .denied = 20}, true);
  EXPECT_EQ(testing::tag_nesting_error(r.html), "");
  EXPECT_EQ(testing::occurrences(r.html, "<svg"), testing::occurrences(r.html, "</svg>"));
  EXPECT_EQ(testing::occurrences(r.html, "<section"), testing::occurrences(r.html, "</section>"));
  EXPECT_EQ(r.html.rfind("</html>"), r.html.size() - 8);
}

TEST(ReportHtml, TheCheckerCatchesBrokenNesting) {
  EXPECT_NE(testing::tag_nesting_error("<section><svg></section></svg>"), "");
  EXPECT_NE(testing::tag_nesting_error("<section><svg><g></g></svg>"), "");
  EXPECT_EQ(testing::tag_nesting_error("<p><meta charset=\"x\"><svg><path d=\"M0 0\"/></svg></p>"), "");
}

TEST(ReportHtml, RefersToNothingOutsideTheFile) {
  const Rendered r = render_fleet({.vms = 200, .denied = 20}, true);
  EXPECT_EQ(r.html.find("http://"), std::string::npos);
  EXPECT_EQ(r.html.find("https://"), std::string::npos);
  EXPECT_EQ(r.html.find("<script"), std::string::npos);
  EXPECT_EQ(r.html.find("<link"), std::string::npos);
  EXPECT_EQ(r.html.find("<img"), std::string::npos);
  EXPECT_EQ(r.html.find("@import"), std::string::npos);
  EXPECT_EQ(r.html.find("url("), std::string::npos);
  EXPECT_EQ(r.html.find("@font-face"), std::string::npos);
}

TEST(ReportHtml, HasEverySectionAndItsCharts) {
  const Rendered r = render_fleet({.vms = 200, .denied = 20}, true);
  for (const char* id : {"expectations", "latency", "outcomes", "queues", "access", "graph", "lifecycle", "scenario"}) {
    EXPECT_NE(r.html.find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
  }
  EXPECT_NE(r.html.find("Token acquisition (client)"), std::string::npos);
  EXPECT_NE(r.html.find("Token endpoint: imds"), std::string::npos);
  EXPECT_NE(r.html.find("AAD: aad.eastus"), std::string::npos);
  EXPECT_NE(r.html.find("Errors only"), std::string::npos);
  EXPECT_NE(r.html.find("AAD regions"), std::string::npos);
  EXPECT_NE(r.html.find("MIRP"), std::string::npos);
  EXPECT_NE(r.html.find("web-0 \u2192 vault"), std::string::npos);  // a detailed access row
  EXPECT_NE(r.html.find("denied 12:00:00: no token"), std::string::npos);
  EXPECT_NE(r.html.find("aad.eastus outage for 30m"), std::string::npos);  // a marker's words
  EXPECT_NE(r.html.find("simulated time (HH:MM)"), std::string::npos);
  EXPECT_NE(r.html.find("latency (ms, log scale)"), std::string::npos);
}

TEST(ReportHtml, ShowsTheVerdictAndEachExpectation) {
  const Rendered r = render_fleet({.vms = 100, .denied = 10}, false);
  EXPECT_NE(r.html.find("1 of 3 expectations failed"), std::string::npos);
  EXPECT_NE(r.html.find("stages.aad.wait_ms.p99 below 5"), std::string::npos);
  EXPECT_NE(r.html.find("actual value 12.5"), std::string::npos);
  EXPECT_NE(r.html.find("0123456789abcdef"), std::string::npos);
  EXPECT_NE(r.html.find("7.01 s"), std::string::npos);  // the p99 acquisition latency card
  // Without a directory the graph section lists the announced entity types instead.
  EXPECT_NE(r.html.find("entities announced"), std::string::npos);
}

TEST(ReportHtml, EscapesTheScenariosWords) {
  const Rendered r = render_fleet({.vms = 50, .denied = 5}, false, "<b>fleet & \"friends\"</b>");
  EXPECT_EQ(r.html.find("<b>fleet"), std::string::npos);
  EXPECT_NE(r.html.find("&lt;b&gt;fleet &amp; &quot;friends&quot;&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(testing::tag_nesting_error(r.html), "");
}

TEST(ReportHtml, StaysSmallForTenThousandVms) {
  const testing::SyntheticFleet fleet;  // 10,000 VMs, 500 denied during the outage
  const Rendered r = render_fleet(fleet, true);
  std::printf("report.html for %u VMs: %zu bytes\n", fleet.vms, r.html.size());
  RecordProperty("bytes", std::to_string(r.html.size()));
  EXPECT_LT(r.html.size(), 2u * 1024 * 1024);
  EXPECT_EQ(testing::tag_nesting_error(r.html), "");
  // The graph groups the fleet: one box for web-0 ... web-9999, not 10,000.
  EXPECT_NE(r.html.find("vm \u00d710,000"), std::string::npos);
  EXPECT_LT(testing::occurrences(r.html, "class=\"node "), 20u);
  // 50 pairs in detail, the rest counted.
  EXPECT_NE(r.html.find("Shown: 50 pairs"), std::string::npos);
}

TEST(ReportHtml, DrawsASmallEstateEntityByEntity) {
  const Rendered r = render_fleet({.vms = 4, .denied = 1}, true);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NE(r.html.find(">web-" + std::to_string(i) + "</text>"), std::string::npos) << i;
  }
  EXPECT_NE(r.html.find(">web-id</text>"), std::string::npos);
  EXPECT_NE(r.html.find(">Key Vault Secrets User</text>"), std::string::npos);
  EXPECT_NE(r.html.find("Every entity has a box."), std::string::npos);
}

TEST(ReportHtml, RendersARunWithoutEventsOrSummary) {
  ReportCollector collector;
  RunInfo run;
  run.duration = kHour;
  collector.on_begin(run);
  collector.on_end(kHour, false);
  ReportInput in;
  in.collector = &collector;
  in.scenario_name = "empty";
  const std::string html = render_report_html(in);
  EXPECT_EQ(testing::tag_nesting_error(html), "");
  EXPECT_NE(html.find("No token requests or stage visits were recorded."), std::string::npos);
  EXPECT_NE(html.find("No expectations"), std::string::npos);
  in.summary_json = "{not json";
  EXPECT_EQ(testing::tag_nesting_error(render_report_html(in)), "");
  const ReportCollector never_begun;  // attached to nothing: still a page
  in.collector = &never_begun;
  EXPECT_EQ(testing::tag_nesting_error(render_report_html(in)), "");
}

TEST(ReportHtml, MarksAnInterruptedRun) {
  ReportCollector collector;
  testing::SyntheticFleet fleet{.vms = 20, .denied = 2};
  RunInfo run = testing::synthetic_run_info(fleet);
  collector.on_begin(run);
  collector.on_end(3 * kHour, true);
  ReportInput in;
  in.collector = &collector;
  const std::string html = render_report_html(in);
  EXPECT_NE(html.find("The run was interrupted at 03:00:00"), std::string::npos);
}

}  // namespace
}  // namespace misim
