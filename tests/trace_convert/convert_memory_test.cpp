// The converters stream: two million events go through each while what it holds stays the same
// size (entities, lanes, requests in flight) and, once warm, it allocates nothing per event.
// Prints the speed in events per second and the process's peak memory, for docs/performance.md.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include "allocation_counter.hpp"
#include "misim/sequence_diagram.hpp"
#include "misim/trace_convert.hpp"
#include "misim/trace_stats.hpp"
#include "scratch_directory.hpp"
#include "synthetic_trace.hpp"

namespace misim {
namespace {

using testing::ScratchDirectory;
using testing::SyntheticTrace;

constexpr std::uint64_t kEvents = 2'000'000;
constexpr std::uint32_t kHosts = 50;

struct Streamed {
  std::size_t retained_at_quarter = 0;
  std::size_t most_retained_after = 0;  // the most held at any check after the first quarter
  std::uint64_t late_allocations = 0;   // over the second half
  double events_per_second = 0;
};

Streamed stream(TraceConsumer& consumer) {
  const SyntheticTrace run = SyntheticTrace::with_hosts(kHosts);
  testing::RequestStream requests(kHosts, kMillisecond);
  Streamed out;
  const auto start = std::chrono::steady_clock::now();
  consumer.on_header(run.header);
  for (const TraceEntity& e : run.entities) consumer.on_entity(e);
  SimTime end = 0;
  for (std::uint64_t i = 1; i <= kEvents; ++i) {
    const TraceEvent e = requests.next();  // the generator's allocations are not the consumer's
    end = e.time;
    const counting::AllocationCount before = counting::allocation_count();
    consumer.on_event(e);
    if (i > kEvents / 2) out.late_allocations += (counting::allocation_count() - before).allocations;
    if (i == kEvents / 4) out.retained_at_quarter = consumer.retained_records();
    if (i > kEvents / 4 && i % 10'000 == 0) {
      out.most_retained_after = std::max(out.most_retained_after, consumer.retained_records());
    }
  }
  TraceFooter footer = run.footer;
  footer.events = kEvents;
  footer.end_time = end;
  EXPECT_TRUE(consumer.on_footer(footer).ok());
  out.events_per_second =
      static_cast<double>(kEvents) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void expect_streaming(const char* what, const Streamed& s) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%s: %.0f events/s, peak RSS of the test process so far %ld MiB\n", what, s.events_per_second,
              usage.ru_maxrss / 1024);
  // The requests in flight at one moment (a few per host) and the lanes they need come and go;
  // nothing accumulates with the number of events.
  EXPECT_LE(s.most_retained_after, s.retained_at_quarter + 2 * kHosts) << what;
  EXPECT_LT(s.most_retained_after, 1000U) << what;
  EXPECT_LT(s.late_allocations, 100U) << what << " allocates per event";
}

TEST(ConverterStreaming, ChromeHoldsNothingPerEvent) {
  ScratchDirectory dir;
  Result<std::unique_ptr<TraceConsumer>> c = chrome_trace_writer(dir.file("t.json"));
  ASSERT_TRUE(c.ok());
  expect_streaming("chrome", stream(**c));
}

TEST(ConverterStreaming, CsvHoldsNothingPerEvent) {
  ScratchDirectory dir;
  Result<std::unique_ptr<TraceConsumer>> c = csv_trace_writer(dir.file("csv"));
  ASSERT_TRUE(c.ok());
  expect_streaming("csv", stream(**c));
}

TEST(ConverterStreaming, SqliteHoldsNothingPerEvent) {
  ScratchDirectory dir;
  Result<std::unique_ptr<TraceConsumer>> c = sqlite_trace_writer(dir.file("t.db"));
  ASSERT_TRUE(c.ok());
  expect_streaming("sqlite", stream(**c));
}

TEST(ConverterStreaming, StatisticsHoldNothingPerEvent) {
  TraceStatistics stats;
  expect_streaming("stats", stream(stats));
}

TEST(ConverterStreaming, RequestIndexHoldsNothingPerEvent) {
  RequestIndex index;  // every request succeeds: it reads to the end, keeping the first 20
  expect_streaming("sequence --list", stream(index));
}

}  // namespace
}  // namespace misim
