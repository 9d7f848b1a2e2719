// The trace writer and reader in bounded memory: no allocation per event once warm, and reading a
// trace of millions of events takes no more memory than reading a short one. Links the counting
// operator new (tools/testing), so it is an executable of its own.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "allocation_counter.hpp"
#include "misim/trace_file.hpp"
#include "trace_sample.hpp"

namespace misim {
namespace {

using counting::allocation_count;
using counting::AllocationCount;

std::string scratch_file(const std::string& name) {
  std::string pattern = (std::filesystem::temp_directory_path() / "misim-trace-memory-XXXXXX").string();
  return std::string(::mkdtemp(pattern.data())) + "/" + name;
}

long peak_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

TEST(TraceMemory, WritingAnEventAllocatesNothingOnceTheWriterIsWarm) {
  const std::string path = scratch_file("trace.pb");
  auto writer = TraceWriter::create(path, trace_sample::header());
  ASSERT_TRUE(writer.ok());
  (*writer)->on_begin(trace_sample::header().run);
  for (std::uint64_t i = 0; i < 100; ++i) (*writer)->on_event(trace_sample::event(i));

  const AllocationCount before = allocation_count();
  for (std::uint64_t i = 100; i < 300'000; ++i) (*writer)->on_event(trace_sample::event(i));  // flushes a few times
  const AllocationCount made = allocation_count() - before;
  EXPECT_EQ(made.allocations, 0U) << made.bytes << " bytes";

  (*writer)->on_end(0, false);
  ASSERT_TRUE((*writer)->close().ok());
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(TraceMemory, ReadingTwoMillionEventsTakesMemoryIndependentOfTheirNumber) {
  constexpr std::uint64_t kEvents = 2'000'000;
  const std::string path = scratch_file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, kEvents).ok());
  const auto file_kib = static_cast<long>(std::filesystem::file_size(path) / 1024);

  Result<TraceReader> reader = TraceReader::open(path);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  const long rss_before = peak_rss_kib();
  std::uint64_t events = 0;
  AllocationCount after_warm_up{};
  AllocationCount at_last_event{};  // the footer is read through a message of its own, once
  while (true) {
    Result<TraceItem> item = reader->next();
    ASSERT_TRUE(item.ok()) << item.error().to_string();
    if (*item == TraceItem::kEnd) break;
    if (*item != TraceItem::kEvent) continue;
    if (++events == 100) after_warm_up = allocation_count();
    at_last_event = allocation_count();
  }
  const AllocationCount made = at_last_event - after_warm_up;
  const long rss_growth = peak_rss_kib() - rss_before;

  EXPECT_EQ(events, kEvents);
  EXPECT_EQ(made.allocations, 0U) << made.bytes << " bytes for " << kEvents - 100 << " events";
  // The reader's buffer is 256 KiB; allow for the allocator's and the kernel's slack, and make
  // sure the file is far larger than what is allowed.
  EXPECT_LT(rss_growth, 4 * 1024) << "KiB, reading a file of " << file_kib << " KiB";
  EXPECT_GT(file_kib, 8 * 4 * 1024);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

}  // namespace
}  // namespace misim
