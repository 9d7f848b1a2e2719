// misim sweep under mpirun: two ranks (rank 0 hands out runs and runs some itself, rank 1 runs
// the others) give the same files as one thread. Built only with MISIM_WITH_MPI; label `mpi`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "sweep_cli.hpp"

namespace misim {
namespace {

using testing::HasSubstr;
using namespace testing_sweep;

class SweepMpi : public Scratch {
 protected:
  void SetUp() override {
    Scratch::SetUp();
    // CI runs as root; Open MPI refuses that unless told it is meant (issue 7).
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  }
  /// mpirun with `ranks` processes; --oversubscribe so two ranks start on any machine.
  static Outcome mpirun(int ranks, const std::string& args) {
    return run_command(std::string(MISIM_MPIEXEC) + " -np " + std::to_string(ranks) + " --oversubscribe " + MISIM_CLI +
                       " " + args);
  }
};

TEST_F(SweepMpi, TwoRanksGiveTheSameResultsAsOneThread) {
  const Outcome alone = misim("sweep " + kStormSweep + " --threads 1 -q --out " + path("alone"));
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  const Outcome ranks = mpirun(2, "sweep " + kStormSweep + " -q --out " + path("ranks"));
  ASSERT_EQ(ranks.exit_code, 0) << ranks.output;
  for (const char* name : kResultFiles) {
    EXPECT_EQ(read(path("alone") + "/" + name), read(path("ranks") + "/" + name)) << name;
  }
  EXPECT_EQ(lines_of(read(path("ranks/journal.jsonl"))).size(), 1U + 12U) << "every run once";
}

TEST_F(SweepMpi, RankZeroCanOnlyHandOutRuns) {
  const Outcome alone = misim("sweep " + kStormSweep + " --threads 1 -q --out " + path("alone"));
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  const Outcome ranks = mpirun(2, "sweep " + kStormSweep + " --threads 0 -q --out " + path("ranks"));
  ASSERT_EQ(ranks.exit_code, 0) << ranks.output;
  EXPECT_EQ(read(path("alone/results.csv")), read(path("ranks/results.csv")));
}

TEST_F(SweepMpi, TwoRanksResumeAStoppedSweep) {
  const Outcome alone = misim("sweep " + kStormSweep + " --threads 1 -q --out " + path("alone"));
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  const Outcome stopped = mpirun(2, "sweep " + kStormSweep + " -q --stop-after 4 --out " + path("ranks"));
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_EQ(lines_of(read(path("ranks/journal.jsonl"))).size(), 1U + 4U);
  const Outcome resumed = mpirun(2, "sweep " + kStormSweep + " --out " + path("ranks"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("8 run now, 4 from the journal"));
  EXPECT_EQ(read(path("alone/results.csv")), read(path("ranks/results.csv")));
}

TEST_F(SweepMpi, BadInputStopsEveryRankWithExit2) {
  const std::string bad = write("bad.sweep.yaml", "scenario: nowhere.yaml\nmetrics: [a]\n");
  const Outcome o = mpirun(2, "sweep " + bad + " --out " + path("out"));
  EXPECT_NE(o.exit_code, 0);
  EXPECT_THAT(o.output, HasSubstr("bad.sweep.yaml:1:11: error: cannot read the scenario"));
  EXPECT_FALSE(fs::exists(path("out")));
}

}  // namespace
}  // namespace misim
