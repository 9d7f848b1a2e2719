// trace.pb streamed into a run's output directory (OutputDirectory::reserve): invisible under its
// final name until commit(), removed if the run never commits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "misim/output_directory.hpp"
#include "misim/trace_file.hpp"
#include "trace_sample.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;

std::string scratch_dir() {
  std::string pattern = (fs::temp_directory_path() / "misim-trace-output-XXXXXX").string();
  return ::mkdtemp(pattern.data());
}

Status write_sample(const std::string& path) { return trace_sample::write(path, 100); }

TEST(TraceOutput, AppearsUnderItsNameOnlyAtCommit) {
  const std::string dir = scratch_dir();
  {
    OutputDirectory out(dir + "/run");
    Result<std::string> partial = out.reserve("trace.pb");
    ASSERT_TRUE(partial.ok()) << partial.error().to_string();
    EXPECT_EQ(*partial, dir + "/run/.trace.pb.partial");
    ASSERT_TRUE(write_sample(*partial).ok());
    ASSERT_TRUE(out.write("summary.json", "{}").ok());
    EXPECT_FALSE(fs::exists(dir + "/run/trace.pb"));
    ASSERT_TRUE(out.commit().ok());
  }
  EXPECT_TRUE(fs::exists(dir + "/run/trace.pb"));
  EXPECT_TRUE(fs::exists(dir + "/run/summary.json"));
  EXPECT_FALSE(fs::exists(dir + "/run/.trace.pb.partial"));
  Result<TraceReader> reader = TraceReader::open(dir + "/run/trace.pb");
  EXPECT_TRUE(reader.ok());
  fs::remove_all(dir);
}

TEST(TraceOutput, IsRemovedWhenTheRunNeverCommits) {
  const std::string dir = scratch_dir();
  {
    OutputDirectory out(dir);
    Result<std::string> partial = out.reserve("trace.pb");
    ASSERT_TRUE(partial.ok());
    ASSERT_TRUE(write_sample(*partial).ok());
    EXPECT_TRUE(fs::exists(*partial));
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(TraceOutput, CommitFailsForAReservedFileNobodyWrote) {
  const std::string dir = scratch_dir();
  OutputDirectory out(dir);
  ASSERT_TRUE(out.reserve("trace.pb").ok());
  Status s = out.commit();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("trace.pb"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace misim
