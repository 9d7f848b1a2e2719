// Interrupted runs lose nothing (issue 9, docs/reliability.md "Interrupted runs"): SIGINT or SIGTERM
// during `misim run` stops at the current event and writes summary.json marked interrupted, the
// report, and a trace whose footer the reader accepts; the exit status is 128 + the signal's number.
// A kill -9 leaves the final names alone (older files stay, nothing half-written appears), and an
// interrupted `misim sweep` writes no result file and keeps its journal.
//
// Every test starts misim as a child process and signals it only once it is visibly under way: the
// streamed trace has passed its first megabyte (events ran) or the journal holds a finished run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "misim/fingerprint.hpp"
#include "misim/time.hpp"
#include "misim/trace_file.hpp"
#include "read_file.hpp"
#include "temp_dir_test.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// A scenario that runs for hours of wall time unless stopped: the quickstart over a simulated year.
const std::string kLongRun = MISIM_SOURCE_DIR "/scenarios/quickstart.yaml";
// A sweep of 40 replications of an hour of the quickstart each (seconds a run, minutes in all).
const std::string kLongSweep = "name: interrupt-test\nscenario: " MISIM_SOURCE_DIR
                               "/scenarios/quickstart.yaml\nduration: 1h\nseed: 7\nreplications: 40\n"
                               "metrics: [events]\n";
constexpr auto kPatience = std::chrono::seconds(120);

using test_support::lines_of;
using test_support::read_file;

/// The files under `dir` whose names start with '.' and end with ".partial".
std::vector<std::string> partial_files(const fs::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".partial")) found.push_back(name);
  }
  return found;
}

class Interrupt : public misim::test_support::TempDirTest {
 protected:
  Interrupt() : TempDirTest("misim_interrupt_test_") {}
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    TempDirTest::TearDown();
  }

  /// Starts misim with `args`, its stderr into dir_/stderr.txt.
  void start(const std::vector<std::string>& args) {
    const std::string log = (dir_ / "stderr.txt").string();
    child_ = ::fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      if (std::freopen(log.c_str(), "w", stderr) == nullptr) _exit(126);
      if (std::freopen("/dev/null", "w", stdout) == nullptr) _exit(126);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(MISIM_CLI));
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(MISIM_CLI, argv.data());
      _exit(127);
    }
  }
  /// Waits until `ready` holds, polling; false if the child ended first or patience ran out.
  bool wait_until(const std::function<bool()>& ready) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ready()) return true;
      int status = 0;
      if (::waitpid(child_, &status, WNOHANG) == child_) {
        child_ = 0;
        ADD_FAILURE() << "misim ended before it was signalled (status " << status << "): " << stderr_text();
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "misim did not get under way within " << kPatience.count() << " s";
    return false;
  }
  /// True once the run's streamed trace has passed its first megabyte (its first buffer flush).
  bool trace_under_way(const fs::path& out) {
    std::error_code ec;
    const auto size = fs::file_size(out / ".trace.pb.partial", ec);
    return !ec && size >= (1U << 20);
  }
  /// Sends `signal` and waits for the child; its wait status.
  int signal_and_wait(int signal) {
    ::kill(child_, signal);
    int status = 0;
    ::waitpid(child_, &status, 0);
    child_ = 0;
    return status;
  }
  std::string stderr_text() const { return read_file(dir_ / "stderr.txt"); }

  /// Runs the long scenario with a full trace, signals it once under way, and checks what it left.
  void expect_clean_stop_on(int signal, int expected_exit) {
    const fs::path out = dir_ / "out";
    start({"run", kLongRun, "--duration", "365d", "--trace", "all", "--out", out.string()});
    ASSERT_TRUE(wait_until([&] { return trace_under_way(out); }));
    const int status = signal_and_wait(signal);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status) << ": " << stderr_text();
    EXPECT_EQ(WEXITSTATUS(status), expected_exit) << stderr_text();
    EXPECT_NE(stderr_text().find("interrupted at"), std::string::npos) << stderr_text();

    const Json summary = Json::parse(read_file(out / "summary.json"));
    EXPECT_TRUE(summary.at("interrupted").get<bool>());
    const double sim_time = summary.at("sim_time_s").get<double>();
    EXPECT_GT(sim_time, 0.0);
    EXPECT_LT(sim_time, summary.at("duration_s").get<double>());
    EXPECT_GT(summary.at("events").get<std::uint64_t>(), 0U);
    EXPECT_TRUE(summary.at("stages").contains("aad")) << "the measurements up to the stop are kept";
    EXPECT_NE(read_file(out / "report.html").find("interrupted"), std::string::npos);

    Result<TraceReader> reader = TraceReader::open((out / "trace.pb").string());
    ASSERT_TRUE(reader) << reader.error().to_string();
    std::uint64_t events = 0;
    for (;;) {
      Result<TraceItem> item = reader->next();
      ASSERT_TRUE(item) << "the trace does not read to its footer: " << item.error().to_string();
      if (*item == TraceItem::kEnd) break;
      if (*item == TraceItem::kEvent) ++events;
    }
    const TraceFooter& footer = reader->footer();
    EXPECT_TRUE(footer.interrupted);
    EXPECT_EQ(footer.events, events);
    EXPECT_NEAR(to_seconds(footer.end_time), sim_time, 1e-6) << "the footer and summary.json name the same time";
    EXPECT_EQ(summary.at("fingerprint").get<std::string>(), to_hex64(footer.fingerprint));
    EXPECT_TRUE(partial_files(out).empty()) << "left behind: " << partial_files(out).front();
  }

  pid_t child_ = 0;
};

TEST_F(Interrupt, SigintStopsTheRunAndWritesAMarkedSummaryAndATraceWithItsFooter) {
  expect_clean_stop_on(SIGINT, 128 + SIGINT);
}

TEST_F(Interrupt, SigtermStopsTheRunAndWritesAMarkedSummaryAndATraceWithItsFooter) {
  expect_clean_stop_on(SIGTERM, 128 + SIGTERM);
}

TEST_F(Interrupt, KillNineLeavesTheEarlierFilesUnderTheFinalNames) {
  const fs::path out = dir_ / "out";
  start({"run", kLongRun, "--duration", "2m", "--trace", "all", "-q", "--out", out.string()});
  int status = 0;
  ::waitpid(child_, &status, 0);
  child_ = 0;
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << stderr_text();
  const std::string names[] = {"summary.json", "report.html", "trace.pb"};
  std::vector<std::string> before;
  for (const std::string& name : names) before.push_back(read_file(out / name));

  start({"run", kLongRun, "--duration", "365d", "--trace", "all", "-q", "--out", out.string()});
  ASSERT_TRUE(wait_until([&] { return trace_under_way(out); }));
  status = signal_and_wait(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status));
  for (std::size_t i = 0; i < std::size(names); ++i) {
    EXPECT_EQ(read_file(out / names[i]), before[i]) << names[i] << " changed under its final name";
  }
  Result<TraceReader> reader = TraceReader::open((out / "trace.pb").string());
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_FALSE(reader->header().scenario.empty());
}

TEST_F(Interrupt, ASecondSignalEndsAtOnceAndNeverLeavesAHalfWrittenFile) {
  const fs::path out = dir_ / "out";
  start({"run", kLongRun, "--duration", "365d", "--trace", "all", "--out", out.string()});
  ASSERT_TRUE(wait_until([&] { return trace_under_way(out); }));
  ::kill(child_, SIGINT);
  const int status = signal_and_wait(SIGINT);
  // Either the second signal ended misim before it renamed anything (no final names), or misim had
  // renamed everything already (all of them, complete): never some files, never a part of one.
  if (WIFSIGNALED(status)) {
    EXPECT_EQ(WTERMSIG(status), SIGINT);
    EXPECT_FALSE(fs::exists(out / "summary.json"));
    EXPECT_FALSE(fs::exists(out / "report.html"));
    EXPECT_FALSE(fs::exists(out / "trace.pb"));
  } else {
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
    EXPECT_TRUE(Json::parse(read_file(out / "summary.json")).at("interrupted").get<bool>());
    EXPECT_TRUE(fs::exists(out / "report.html"));
    EXPECT_TRUE(fs::exists(out / "trace.pb"));
  }
}

TEST_F(Interrupt, SigintStopsASweepWithoutResultFilesAndKeepsItsJournal) {
  const fs::path out = dir_ / "sweep";
  const fs::path sweep = dir_ / "long.sweep.yaml";
  std::ofstream(sweep) << kLongSweep;
  start({"sweep", sweep.string(), "--threads", "1", "-q", "--out", out.string()});
  // Signalled once the first run is in the journal (the journal's header line, then one a run).
  ASSERT_TRUE(wait_until([&] { return lines_of(read_file(out / "journal.jsonl")).size() >= 1 + 1; }));
  const int status = signal_and_wait(SIGINT);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status) << ": " << stderr_text();
  const std::vector<std::string> journal = lines_of(read_file(out / "journal.jsonl"));
  if (journal.size() < 1 + 40) {  // stopped before the last run finished
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT) << stderr_text();
    for (const char* name : {"results.csv", "runs.csv", "results.json", "report.html"}) {
      EXPECT_FALSE(fs::exists(out / name)) << name;
    }
  }
  for (const std::string& line : journal) EXPECT_FALSE(Json::parse(line, nullptr, false).is_discarded()) << line;
  EXPECT_TRUE(partial_files(out).empty());
}

}  // namespace
}  // namespace misim
