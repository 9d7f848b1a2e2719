// misim trace convert --to csv: a file per event family, a row per event, names resolved.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "misim/trace_convert.hpp"
#include "read_file.hpp"
#include "scratch_directory.hpp"
#include "synthetic_trace.hpp"

namespace misim {
namespace {

using testing::ScratchDirectory;
using testing::SyntheticTrace;

using test_support::lines_of;

std::size_t count_kind(const SyntheticTrace& t, std::initializer_list<EventKind> kinds) {
  std::size_t n = 0;
  for (const TraceEvent& e : t.events) {
    for (EventKind k : kinds) n += e.kind == k ? 1 : 0;
  }
  return n;
}

void convert_to_csv(const SyntheticTrace& trace, const std::string& directory) {
  Result<std::unique_ptr<TraceConsumer>> writer = csv_trace_writer(directory);
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  const Status s = testing::feed(trace, **writer);
  ASSERT_TRUE(s.ok()) << s.error().message;
}

TEST(CsvExport, WritesOneFilePerEventFamily) {
  ScratchDirectory dir;
  convert_to_csv(SyntheticTrace::standard(), dir.file("csv"));
  ScratchDirectory expected;  // the listing of a directory holding exactly these files
  for (const char* name : {"access.csv", "attempts.csv", "calls.csv", "entities.csv", "lifecycle.csv", "rejections.csv",
                           "requests.csv", "run.csv", "samples.csv", "station_visits.csv", "stations.csv"}) {
    std::ofstream(expected.file(name)) << "";
  }
  EXPECT_EQ(ScratchDirectory::listing_of(dir.file("csv")), expected.listing());
}

TEST(CsvExport, HasARowPerEvent) {
  ScratchDirectory dir;
  const SyntheticTrace t = SyntheticTrace::standard();
  convert_to_csv(t, dir.path().string());
  const auto rows = [&](const char* file) { return lines_of(testing::read_file(dir.file(file))).size() - 1; };
  EXPECT_EQ(rows("requests.csv"), count_kind(t, {EventKind::kTokenRequest}));
  EXPECT_EQ(rows("attempts.csv"), count_kind(t, {EventKind::kAttempt}));
  EXPECT_EQ(rows("station_visits.csv"), count_kind(t, {EventKind::kStationVisit}));
  EXPECT_EQ(rows("rejections.csv"), count_kind(t, {EventKind::kRejected}));
  EXPECT_EQ(rows("lifecycle.csv"), count_kind(t, {EventKind::kOperation, EventKind::kFault, EventKind::kRoleVisibility,
                                                  EventKind::kIdentityReplicated, EventKind::kCertificate}));
  EXPECT_EQ(rows("access.csv"), count_kind(t, {EventKind::kAccessChange}));
  EXPECT_EQ(rows("calls.csv"), count_kind(t, {EventKind::kCall}));
  EXPECT_EQ(rows("samples.csv"), count_kind(t, {EventKind::kSample}));
  EXPECT_EQ(rows("stations.csv"), t.header.run.stations.size());
  EXPECT_EQ(rows("entities.csv"), t.entities.size());
  EXPECT_EQ(rows("requests.csv"), 5U);
}

TEST(CsvExport, NamesColumnsWithUnitsAndResolvesEntityNames) {
  ScratchDirectory dir;
  convert_to_csv(SyntheticTrace::standard(), dir.path().string());
  const std::vector<std::string> requests = lines_of(testing::read_file(dir.file("requests.csv")));
  EXPECT_EQ(requests[0], "request,begin_ns,time_ns,latency_ms,resource,identity,target,status,retries,background");
  // Request 2: began at 2.010 s, a retry, a token 547 ms later.
  EXPECT_EQ(requests[3], "2,2010000000,2557000000,547,web-0,web-id,vault,200,1,0");
  const std::vector<std::string> visits = lines_of(testing::read_file(dir.file("station_visits.csv")));
  EXPECT_EQ(visits[0],
            "request,station,resource,begin_ns,service_start_ns,time_ns,wait_ms,service_ms,sojourn_ms,token_request");
  const std::string lifecycle = testing::read_file(dir.file("lifecycle.csv"));
  EXPECT_NE(lifecycle.find("30000000000,operation,applied,delete web-id,identity,web-id,,,0"), std::string::npos);
  const std::string stations = testing::read_file(dir.file("stations.csv"));
  EXPECT_NE(stations.find("aad.eastus,aad,4,4,3,1,0.03125"), std::string::npos);
  const std::string run = testing::read_file(dir.file("run.csv"));
  EXPECT_NE(run.find("fingerprint,0123456789abcdef"), std::string::npos);
  EXPECT_NE(run.find("param.vms,2"), std::string::npos);
}

TEST(CsvExport, QuotesFieldsThatHoldCommasOrQuotes) {
  ScratchDirectory dir;
  SyntheticTrace t = SyntheticTrace::standard();
  t.entities.push_back(TraceEntity{EntityKind::kResource, 99, "key_vault", "odd, \"name\"", 0});
  convert_to_csv(t, dir.path().string());
  EXPECT_NE(testing::read_file(dir.file("entities.csv")).find("resource,99,key_vault,\"odd, \"\"name\"\"\",0"),
            std::string::npos);
}

TEST(CsvExport, LeavesNoFileWhenTheTraceEndsEarly) {
  ScratchDirectory dir;
  const SyntheticTrace t = SyntheticTrace::standard();
  {
    Result<std::unique_ptr<TraceConsumer>> writer = csv_trace_writer(dir.path().string());
    ASSERT_TRUE(writer.ok());
    (*writer)->on_header(t.header);
    for (const TraceEvent& e : t.events) (*writer)->on_event(e);
  }
  EXPECT_EQ(dir.listing(), "");
}

}  // namespace
}  // namespace misim
