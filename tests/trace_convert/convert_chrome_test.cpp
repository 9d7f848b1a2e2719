// misim trace convert --to chrome: the JSON parses, slices on a thread nest, every kind of event
// appears, and nothing is left behind when a conversion is abandoned.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "chrome_checks.hpp"
#include "misim/trace_convert.hpp"
#include "scratch_directory.hpp"
#include "synthetic_trace.hpp"

namespace misim {
namespace {

using testing::expect_proper_nesting;
using testing::ScratchDirectory;
using testing::Slice;
using testing::slices_by_thread;
using testing::SyntheticTrace;
using Json = nlohmann::json;

Json convert_to_chrome(const SyntheticTrace& trace, const ScratchDirectory& dir) {
  Result<std::unique_ptr<TraceConsumer>> writer = chrome_trace_writer(dir.file("t.json"));
  EXPECT_TRUE(writer.ok());
  const Status s = testing::feed(trace, **writer);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return Json::parse(testing::read_file(dir.file("t.json")));
}

std::multiset<std::string> names_of_phase(const Json& doc, const std::string& phase) {
  std::multiset<std::string> names;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == phase) names.insert(e["name"].get<std::string>());
  }
  return names;
}

TEST(ChromeExport, WritesTheJsonObjectFormatThatParses) {
  ScratchDirectory dir;
  const Json doc = convert_to_chrome(SyntheticTrace::standard(), dir);
  ASSERT_TRUE(doc.contains("traceEvents"));
  EXPECT_EQ(doc["displayTimeUnit"], "ms");
  EXPECT_EQ(doc["otherData"]["fingerprint"], "0123456789abcdef");
  EXPECT_EQ(doc["otherData"]["scenario"], "synthetic");
  EXPECT_EQ(doc["otherData"]["stations"].size(), 3U);
  for (const Json& e : doc["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("tid") && e.contains("ts") && e.contains("name"))
        << e.dump();
    if (e["ph"] == "X") {
      EXPECT_GE(e["dur"].get<double>(), 0.0);
    }
  }
}

TEST(ChromeExport, SlicesOnOneThreadNestOrAreDisjoint) {
  ScratchDirectory dir;
  expect_proper_nesting(convert_to_chrome(SyntheticTrace::standard(), dir));
}

TEST(ChromeExport, NestsAttemptsInTheirRequestAndAadVisitsInTheirAttempt) {
  ScratchDirectory dir;
  const Json doc = convert_to_chrome(SyntheticTrace::standard(), dir);
  // Request 2 of web-0: an endpoint 429, then an attempt through AAD that waited 5 ms.
  std::vector<Slice> request2;
  for (const auto& [thread, slices] : slices_by_thread(doc)) {
    for (const Slice& s : slices) {
      if (s.name == "token request" && s.begin == 2'010'000'000) request2 = slices;
    }
  }
  ASSERT_FALSE(request2.empty());
  std::multiset<std::string> inside;
  for (const Slice& s : request2) {
    if (s.begin >= 2'010'000'000 && s.end <= 2'557'000'000) inside.insert(s.name);
  }
  EXPECT_EQ(inside, (std::multiset<std::string>{"token request", "imds", "imds", "aad.eastus wait", "aad.eastus"}));
}

TEST(ChromeExport, PutsOverlappingRequestsOfOneHostOnDifferentThreads) {
  ScratchDirectory dir;
  const Json doc = convert_to_chrome(SyntheticTrace::standard(), dir);
  std::set<int> web0_threads;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "X" && e["name"] == "token request" && e["pid"] == 100'000 + testing::kFirstHost) {
      web0_threads.insert(e["tid"].get<int>());
    }
  }
  EXPECT_EQ(web0_threads.size(), 2U);
}

TEST(ChromeExport, ConvertsEveryKindOfEvent) {
  ScratchDirectory dir;
  const SyntheticTrace trace = SyntheticTrace::standard();
  const Json doc = convert_to_chrome(trace, dir);
  const std::multiset<std::string> slices = names_of_phase(doc, "X");
  EXPECT_EQ(slices.count("token request"), 5U);
  EXPECT_EQ(slices.count("imds"), 7U);             // every attempt
  EXPECT_EQ(slices.count("aad.eastus"), 4U);       // AAD service of the attempts that reached it
  EXPECT_EQ(slices.count("aad.eastus wait"), 2U);  // those that waited
  EXPECT_EQ(slices.count("checkout"), 3U);         // a plain stage's customers
  EXPECT_EQ(slices.count("checkout wait"), 1U);
  const std::multiset<std::string> instants = names_of_phase(doc, "i");
  for (const char* expected : {"certificate of web-id issued", "web-id replicated to the token endpoints",
                               "AAD outage in eastus from 00:00:10.000 to 00:00:20.000 begins",
                               "AAD outage in eastus from 00:00:10.000 to 00:00:20.000 ends", "delete web-id",
                               "role assignment web-id@vault (Key Vault Secrets User) of web-id no longer visible "
                               "to targets",
                               "web-0 -> vault: denied, no role assignment", "turned away by checkout",
                               "turned away by aad.eastus", "call granted", "call denied: no role assignment"}) {
    EXPECT_EQ(instants.count(expected), expected == std::string("call granted") ? 5U : 1U) << expected;
  }
  const std::multiset<std::string> counters = names_of_phase(doc, "C");
  EXPECT_EQ(counters.count("aad.eastus queue"), 2U);
  EXPECT_EQ(counters.count("aad.eastus"), 2U);
  EXPECT_EQ(counters.count("imds queue"), 2U);
  std::set<std::string> processes;
  for (const Json& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
  }
  EXPECT_EQ(processes,
            (std::set<std::string>{"lifecycle", "station imds (endpoint)", "station aad.eastus (aad)",
                                   "station checkout (stage)", "web-0 (virtual_machine)", "web-1 (virtual_machine)"}));
}

TEST(ChromeExport, WritesTimesAsExactMicroseconds) {
  ScratchDirectory dir;
  SyntheticTrace trace = SyntheticTrace::standard();
  TraceEvent refused;
  refused.kind = EventKind::kOperation;
  refused.time = refused.begin = 1'234'567;
  trace.add(refused);
  trace.sort();
  convert_to_chrome(trace, dir);
  const std::string text = testing::read_file(dir.file("t.json"));
  // Request 2 began at 2.010 s and took 547 ms.
  EXPECT_NE(text.find("\"ts\":1234.567,\"name\":\"refused: delete web-id\""), std::string::npos);
  EXPECT_NE(text.find("\"ts\":2010000,\"dur\":547000,\"name\":\"token request\""), std::string::npos);
  // An AAD wait of 3 ms that began 0.502 s in: fractions are written exactly.
  EXPECT_NE(text.find("\"ts\":502000,\"dur\":3000,\"name\":\"aad.eastus wait\""), std::string::npos);
}

TEST(ChromeExport, LeavesNothingWhenTheTraceEndsEarly) {
  ScratchDirectory dir;
  SyntheticTrace trace = SyntheticTrace::standard();
  {
    Result<std::unique_ptr<TraceConsumer>> writer = chrome_trace_writer(dir.file("t.json"));
    ASSERT_TRUE(writer.ok());
    (*writer)->on_header(trace.header);
    for (const TraceEvent& e : trace.events) (*writer)->on_event(e);
    // No footer: the reader reported a truncated trace and the converter is dropped.
  }
  EXPECT_EQ(dir.listing(), "");
}

TEST(ChromeExport, ReportsAnUnwritableDestination) {
  const Result<std::unique_ptr<TraceConsumer>> writer = chrome_trace_writer("/nonexistent-dir/t.json");
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.error().message.find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace misim
