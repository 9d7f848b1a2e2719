// The journal: every finished run on disk at once, read back exactly, a line cut by a crash
// dropped, and another sweep's journal refused (or replaced when asked).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "misim/sweep.hpp"
#include "scratch.hpp"

namespace misim {
namespace {

using testing::HasSubstr;

SweepDefinition two_metric_sweep() {
  SweepDefinition s;
  s.name = "j";
  s.seed = 3;
  s.metrics = {"a", "b"};
  s.points = {{{"x", "1"}}, {{"x", "2"}}};
  s.swept = {"x"};
  s.scenario_text = "name: j\n";
  return s;
}

RunRecord ok_record(std::size_t point, std::size_t replication, double a, std::optional<double> b) {
  RunRecord r;
  r.run = {point, replication, 1000 + replication};
  r.ok = true;
  r.expectations_met = true;
  r.metrics = {a, b};
  r.events = 42;
  r.wall_seconds = 0.25;
  return r;
}

TEST(RunRecordJson, ReadsBackTheSameDoublesBitForBit) {
  for (const double v : {0.1 + 0.2, 1e-300, std::numeric_limits<double>::denorm_min(), 123456789.123456789, -0.0,
                         std::numeric_limits<double>::max()}) {
    const RunRecord r = ok_record(1, 2, v, std::nullopt);
    const std::optional<RunRecord> back = parse_run_record(run_record_json(r), 2);
    ASSERT_TRUE(back.has_value());
    ASSERT_TRUE(back->metrics[0].has_value());
    EXPECT_EQ(std::signbit(*back->metrics[0]), std::signbit(v));
    EXPECT_EQ(*back->metrics[0], v);
    EXPECT_FALSE(back->metrics[1].has_value());
    EXPECT_EQ(back->run.seed, 1002U);
    EXPECT_EQ(back->events, 42U);
  }
}

TEST(RunRecordJson, AFailedRunKeepsItsError) {
  RunRecord r;
  r.run = {0, 0, 9};
  r.error = "t.yaml:3:5: error: \"quoted\"\nand a new line";
  const std::optional<RunRecord> back = parse_run_record(run_record_json(r), 2);
  ASSERT_TRUE(back.has_value());
  EXPECT_FALSE(back->ok);
  EXPECT_EQ(back->error, r.error);
}

TEST(RunRecordJson, RejectsWhatIsNotARecord) {
  EXPECT_FALSE(parse_run_record("{\"point\":0,\"replication\":0,\"seed\":1,\"status\":\"ok\",\"metr", 2));
  EXPECT_FALSE(parse_run_record("{\"point\":0,\"replication\":0,\"seed\":1,\"status\":\"ok\",\"metrics\":[1]}", 2))
      << "one metric where the sweep has two";
  EXPECT_FALSE(parse_run_record("[]", 2));
}

class Journal : public testing_sweep::Scratch {};

TEST_F(Journal, ResumesWithTheRunsItHolds) {
  const SweepDefinition s = two_metric_sweep();
  {
    Result<SweepJournal> j = SweepJournal::open(path("out"), s, SweepJournal::Mode::kResume);
    ASSERT_TRUE(j.ok()) << j.error().to_string();
    EXPECT_TRUE(j->finished().empty());
    ASSERT_TRUE(j->append(ok_record(0, 0, 1.5, 2.5)).ok());
    ASSERT_TRUE(j->append(ok_record(1, 0, 3.5, std::nullopt)).ok());
  }
  Result<SweepJournal> again = SweepJournal::open(path("out"), s, SweepJournal::Mode::kResume);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  ASSERT_EQ(again->finished().size(), 2U);
  EXPECT_EQ(again->finished()[1].run.point, 1U);
  EXPECT_EQ(again->finished()[1].metrics[0], 3.5);
}

TEST_F(Journal, DropsALineCutShortByACrashAndWritesOnAfterTheLastWholeOne) {
  const SweepDefinition s = two_metric_sweep();
  {
    Result<SweepJournal> j = SweepJournal::open(path("out"), s, SweepJournal::Mode::kResume);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE(j->append(ok_record(0, 0, 1.5, 2.5)).ok());
  }
  {
    std::ofstream cut(path("out/journal.jsonl"), std::ios::app);
    cut << R"({"point":0,"replication":1,"seed":10)";  // killed in the middle of a write
  }
  {
    Result<SweepJournal> j = SweepJournal::open(path("out"), s, SweepJournal::Mode::kResume);
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(j->finished().size(), 1U);
    ASSERT_TRUE(j->append(ok_record(0, 1, 4.0, 5.0)).ok());
  }
  Result<SweepJournal> j = SweepJournal::open(path("out"), s, SweepJournal::Mode::kResume);
  ASSERT_TRUE(j.ok());
  ASSERT_EQ(j->finished().size(), 2U);
  EXPECT_EQ(j->finished()[1].metrics[0], 4.0);
}

TEST_F(Journal, RefusesTheJournalOfAnotherSweepUnlessToldToStartAfresh) {
  const SweepDefinition s = two_metric_sweep();
  {
    Result<SweepJournal> j = SweepJournal::open(path("out"), s, SweepJournal::Mode::kResume);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE(j->append(ok_record(0, 0, 1.5, 2.5)).ok());
  }
  SweepDefinition other = s;
  other.seed = 4;
  Result<SweepJournal> refused = SweepJournal::open(path("out"), other, SweepJournal::Mode::kResume);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("another sweep definition"));
  EXPECT_THAT(refused.error().message, HasSubstr("--fresh"));

  Result<SweepJournal> replaced = SweepJournal::open(path("out"), other, SweepJournal::Mode::kResumeOrFresh);
  ASSERT_TRUE(replaced.ok());
  EXPECT_TRUE(replaced->finished().empty());
  EXPECT_THAT(replaced->discarded(), HasSubstr("another sweep definition"));

  Result<SweepJournal> fresh = SweepJournal::open(path("out"), other, SweepJournal::Mode::kFresh);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->finished().empty());
}

}  // namespace
}  // namespace misim
