// `misim trace convert|stats|sequence` on a trace file: exit codes, `misim: FILE: ...` messages,
// outputs written whole or not at all.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "scratch_directory.hpp"
#include "synthetic_trace.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDirectory;
using testing::SyntheticTrace;

using test_support::Outcome;
using test_support::run_cli;

class TraceCli : public ::testing::Test {
 protected:
  void SetUp() override {
    trace_ = dir_.file("trace.pb");
    const Status s = testing::write_trace_file(SyntheticTrace::standard(), trace_);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
  }
  ScratchDirectory dir_;
  std::string trace_;
};

TEST_F(TraceCli, ConvertsToEachFormat) {
  EXPECT_EQ(run_cli("trace convert " + trace_ + " --to chrome -o " + dir_.file("t.json")).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(testing::read_file(dir_.file("t.json")))["otherData"]["fingerprint"],
            "0123456789abcdef");
  EXPECT_EQ(run_cli("trace convert " + trace_ + " --to csv -o " + dir_.file("tables")).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_.file("tables/requests.csv")));
  EXPECT_EQ(run_cli("trace convert " + trace_ + " --to sqlite -o " + dir_.file("t.db")).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_.file("t.db")));
}

TEST_F(TraceCli, PrintsStatisticsOrWritesThemToAFile) {
  const Outcome printed = run_cli("trace stats " + trace_);
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  EXPECT_EQ(nlohmann::json::parse(printed.output)["requests"]["retries"], 2);
  EXPECT_EQ(run_cli("trace stats " + trace_ + " -o " + dir_.file("stats.json")).exit_code, 0);
  EXPECT_EQ(testing::read_file(dir_.file("stats.json")), printed.output);
}

TEST_F(TraceCli, DrawsAndListsRequests) {
  const Outcome diagram = run_cli("trace sequence " + trace_ + " --request 2");
  EXPECT_EQ(diagram.exit_code, 0);
  EXPECT_NE(diagram.output.find("sequenceDiagram\n"), std::string::npos);
  const Outcome list = run_cli("trace sequence " + trace_ + " --list");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find("web-0 -> vault as web-id: 200 OK after 2 attempts"), std::string::npos) << list.output;
}

TEST_F(TraceCli, RejectsAnUnknownRequestWithExit2) {
  const Outcome o = run_cli("trace sequence " + trace_ + " --request 999");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.output, "misim: " + trace_ +
                          ": no token request 999 in the trace (5 token requests ended; list some "
                          "with --list)\n");
  EXPECT_EQ(run_cli("trace sequence " + trace_).exit_code, 2);  // neither --request nor --list
}

TEST_F(TraceCli, ReportsAnUnreadableTraceAndWritesNothing) {
  const Outcome missing = run_cli("trace convert " + dir_.file("none.pb") + " --to chrome -o " + dir_.file("t.json"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.output.rfind("misim: " + dir_.file("none.pb") + ": ", 0), 0U) << missing.output;
  // Cut the trace short: the converters stop at the damage and leave no output.
  const std::string whole = testing::read_file(trace_);
  std::ofstream(dir_.file("cut.pb"), std::ios::binary) << whole.substr(0, whole.size() - 40);
  for (const char* to : {"chrome", "csv", "sqlite"}) {
    const Outcome o = run_cli("trace convert " + dir_.file("cut.pb") + " --to " + to + " -o " + dir_.file("out"));
    EXPECT_EQ(o.exit_code, 2) << to;
    EXPECT_EQ(o.output.rfind("misim: " + dir_.file("cut.pb") + ": ", 0), 0U) << o.output;
  }
  EXPECT_EQ(run_cli("trace stats " + dir_.file("cut.pb")).exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_.file("t.json")));
  EXPECT_FALSE(fs::exists(dir_.file("out")));  // not even the directory csv would have made
}

TEST_F(TraceCli, RejectsAnUnknownFormat) {
  const Outcome o = run_cli("trace convert " + trace_ + " --to xml -o " + dir_.file("t.xml"));
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_.file("t.xml")));
}

}  // namespace
}  // namespace misim
