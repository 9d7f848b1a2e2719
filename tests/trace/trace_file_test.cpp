// trace.pb written by TraceWriter and read back by TraceReader (misim/trace_file.hpp): a bit-exact
// round trip of every field, and a clear error, never a crash, for a file that is cut short,
// damaged, of a newer major version, or not a trace at all.
#include "misim/trace_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "trace_sample.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace misim {
namespace {

using ::testing::HasSubstr;

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "misim-trace-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<char>& bytes, std::size_t size) {
  // A new file each time: ext4 flushes a file rewritten through truncation when it is closed
  // (auto_da_alloc), which made the byte-by-byte tests take half a minute.
  std::filesystem::remove(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(size));
}

struct ReadBack {
  TraceHeader header;
  std::vector<TraceEntity> entities;
  std::vector<TraceEvent> events;
  TraceFooter footer;
};

/// The whole trace, or the first error (from open or from next).
Result<ReadBack> read_all(const std::string& path) {
  Result<TraceReader> reader = TraceReader::open(path);
  if (!reader) return reader.error();
  ReadBack out;
  out.header = reader->header();
  while (true) {
    Result<TraceItem> item = reader->next();
    if (!item) return item.error();
    if (*item == TraceItem::kEnd) break;
    if (*item == TraceItem::kEvent) out.events.push_back(reader->event());
    if (*item == TraceItem::kEntity) out.entities.push_back(reader->entity());
  }
  out.footer = reader->footer();
  return out;
}

void expect_same_event(const TraceEvent& a, const TraceEvent& b, std::size_t i) {
  SCOPED_TRACE("event " + std::to_string(i));
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.begin, b.begin);
  EXPECT_EQ(a.service_start, b.service_start);
  EXPECT_EQ(a.request, b.request);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.value), std::bit_cast<std::uint64_t>(b.value));  // NaN, -0.0 exactly
  EXPECT_EQ(a.resource, b.resource);
  EXPECT_EQ(a.identity, b.identity);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.entity, b.entity);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.busy, b.busy);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.station, b.station);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.entity_kind, b.entity_kind);
  EXPECT_EQ(a.flags, b.flags);
}

constexpr std::uint64_t kSmallTrace = 40;  // three times through every kind, and every extreme

TEST(TraceFile, RoundTripsEveryFieldOfEveryRecordBitForBit) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  constexpr std::uint64_t kEvents = 1000;
  ASSERT_TRUE(trace_sample::write(path, kEvents).ok());

  Result<ReadBack> back = read_all(path);
  ASSERT_TRUE(back.ok()) << back.error().to_string();

  const TraceHeader want = trace_sample::header();
  const TraceHeader& got = back->header;
  EXPECT_EQ(got.misim_version, want.misim_version);
  EXPECT_EQ(got.scenario, want.scenario);
  EXPECT_EQ(got.scenario_file, want.scenario_file);
  EXPECT_EQ(got.scenario_hash, want.scenario_hash);
  EXPECT_EQ(got.seed, want.seed);
  EXPECT_EQ(got.params, want.params);
  EXPECT_EQ(got.level, want.level);
  EXPECT_EQ(got.major_version, kTraceMajorVersion);
  EXPECT_EQ(got.minor_version, kTraceMinorVersion);
  EXPECT_EQ(got.run.seed, want.run.seed);
  EXPECT_EQ(got.run.duration, want.run.duration);
  EXPECT_EQ(got.run.warmup, want.run.warmup);
  EXPECT_EQ(got.run.sample_interval, want.run.sample_interval);
  ASSERT_EQ(got.run.stations.size(), want.run.stations.size());
  for (std::size_t i = 0; i < want.run.stations.size(); ++i) {
    EXPECT_EQ(got.run.stations[i].name, want.run.stations[i].name);
    EXPECT_EQ(got.run.stations[i].role, want.run.stations[i].role);
    EXPECT_EQ(got.run.stations[i].servers, want.run.stations[i].servers);
  }
  EXPECT_EQ(got.run.operations, want.run.operations);
  EXPECT_EQ(got.run.faults, want.run.faults);
  EXPECT_EQ(got.run.audiences, want.run.audiences);

  const std::vector<EntityInfo> entities = trace_sample::entities();
  ASSERT_EQ(back->entities.size(), entities.size());
  for (std::size_t i = 0; i < entities.size(); ++i) {
    EXPECT_EQ(back->entities[i].kind, entities[i].kind);
    EXPECT_EQ(back->entities[i].index, entities[i].index);
    EXPECT_EQ(back->entities[i].type, entities[i].type);
    EXPECT_EQ(back->entities[i].name, entities[i].name);
    EXPECT_EQ(back->entities[i].created, entities[i].created);
  }

  ASSERT_EQ(back->events.size(), kEvents);
  for (std::uint64_t i = 0; i < kEvents; ++i) expect_same_event(back->events[i], trace_sample::event(i), i);

  EXPECT_EQ(back->footer.events, kEvents);
  EXPECT_EQ(back->footer.end_time, want.run.duration);
  EXPECT_FALSE(back->footer.interrupted);
  EXPECT_EQ(back->footer.fingerprint, 0x0123'4567'89AB'CDEFULL);
}

TEST(TraceFile, SampleEventsCoverEveryKindAndBothValuesOfEveryEntityField) {
  // The round trip above proves something only if the sample reaches every kind and every
  // encoding corner; this keeps the sample honest when kinds are added.
  std::vector<bool> kinds(256);
  bool no_entity = false, entity_zero = false, no_station = false, station_zero = false, negative_begin = false;
  for (std::uint64_t i = 0; i < kSmallTrace; ++i) {
    const TraceEvent e = trace_sample::event(i);
    kinds[static_cast<std::size_t>(e.kind)] = true;
    no_entity |= e.resource == kNoEntity;
    entity_zero |= e.resource == 0;
    no_station |= e.station == kNoStation;
    station_zero |= e.station == 0;
    negative_begin |= e.begin < 0;
  }
  for (EventKind kind : trace_sample::kAllKinds) EXPECT_TRUE(kinds[static_cast<std::size_t>(kind)]) << to_string(kind);
  EXPECT_TRUE(no_entity && entity_zero && no_station && station_zero && negative_begin);
}

TEST(TraceFile, ReadsAnEmptyTraceOfHeaderAndFooterOnly) {
  ScratchDir dir;
  const std::string path = dir.file("empty.pb");
  TraceHeader header;  // every field at its default
  auto writer = TraceWriter::create(path, header);
  ASSERT_TRUE(writer.ok());
  (*writer)->on_end(0, true);
  ASSERT_TRUE((*writer)->close().ok());
  EXPECT_EQ((*writer)->events_written(), 0U);
  EXPECT_EQ((*writer)->bytes_written(), std::filesystem::file_size(path));

  Result<ReadBack> back = read_all(path);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(back->events.empty());
  EXPECT_TRUE(back->entities.empty());
  EXPECT_EQ(back->footer.events, 0U);
  EXPECT_TRUE(back->footer.interrupted);
  EXPECT_EQ(back->header.level, TraceLevel::kNone);
}

TEST(TraceFile, CountsEventsAndBytesAsWritten) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  auto writer = TraceWriter::create(path, trace_sample::header());
  ASSERT_TRUE(writer.ok());
  (*writer)->on_begin(trace_sample::header().run);
  for (std::uint64_t i = 0; i < kSmallTrace; ++i) (*writer)->on_event(trace_sample::event(i));
  (*writer)->on_end(5, false);
  ASSERT_TRUE((*writer)->close().ok());
  EXPECT_EQ((*writer)->events_written(), kSmallTrace);
  EXPECT_EQ((*writer)->bytes_written(), std::filesystem::file_size(path));
}

TEST(TraceFile, ReportsATraceCutAtAnyByteAsTruncatedOrNotATrace) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, kSmallTrace).ok());
  const std::vector<char> bytes = read_bytes(path);
  const std::string cut = dir.file("cut.pb");

  // Where the header record ends: before it, the file is not (yet) a trace.
  Result<TraceReader> whole = TraceReader::open(path);
  ASSERT_TRUE(whole.ok());
  bool saw_header = false;
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    write_bytes(cut, bytes, size);
    Result<ReadBack> back = read_all(cut);
    ASSERT_FALSE(back.ok()) << "a trace cut to " << size << " of " << bytes.size() << " bytes read without error";
    const std::string message = back.error().message;
    EXPECT_EQ(back.error().place.file, cut);
    if (message.find("not a misim trace") != std::string::npos) {
      EXPECT_FALSE(saw_header) << "cut at " << size << ": " << message;
    } else {
      saw_header = true;
      EXPECT_THAT(message, HasSubstr("truncated after ")) << "cut at " << size;
      EXPECT_THAT(message, HasSubstr("(the run was killed or the file cut short)"));
    }
  }
  EXPECT_TRUE(saw_header);
  write_bytes(cut, bytes, bytes.size() - 1);
  EXPECT_EQ(read_all(cut).error().message,
            "truncated after " + std::to_string(kSmallTrace) + " events (the run was killed or the file cut short)");
}

/// The offset of the footer record: the records' length prefixes walked from the start.
std::size_t footer_offset(const std::vector<char>& bytes) {
  std::size_t at = 0;
  std::size_t last = 0;
  while (at < bytes.size()) {
    last = at;
    std::uint64_t length = 0;
    int shift = 0;
    while (true) {
      const auto byte = static_cast<std::uint8_t>(bytes[at++]);
      length |= std::uint64_t{byte & 0x7FU} << shift;
      shift += 7;
      if ((byte & 0x80U) == 0) break;
    }
    at += length;
  }
  return last;
}

TEST(TraceFile, ReportsAnyDamagedByteBeforeTheFooterAsAnError) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, kSmallTrace).ok());
  const std::vector<char> bytes = read_bytes(path);
  const std::size_t footer = footer_offset(bytes);
  ASSERT_GT(footer, 0U);
  const std::string damaged = dir.file("damaged.pb");
  for (std::size_t at = 0; at < footer; ++at) {
    for (const unsigned flip : {0x01U, 0x80U, 0xFFU}) {
      std::vector<char> copy = bytes;
      copy[at] = static_cast<char>(static_cast<unsigned char>(copy[at]) ^ flip);
      write_bytes(damaged, copy, copy.size());
      Result<ReadBack> back = read_all(damaged);
      ASSERT_FALSE(back.ok()) << "byte " << at << " ^ " << flip << " went unnoticed";
    }
  }
}

TEST(TraceFile, SurvivesRandomDamageAnywhere) {
  // Runs of random bytes written over random places, the footer included: the reader must end
  // with an error or, when only the footer's unprotected fields were hit, with the events intact.
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, kSmallTrace).ok());
  const std::vector<char> bytes = read_bytes(path);
  const std::size_t footer = footer_offset(bytes);
  const std::string damaged = dir.file("damaged.pb");
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::vector<char> copy = bytes;
    const std::size_t at = rng() % copy.size();
    const std::size_t run = 1 + rng() % 8;
    bool changed_before_footer = false;
    for (std::size_t i = at; i < std::min(copy.size(), at + run); ++i) {
      const char was = copy[i];
      copy[i] = static_cast<char>(rng());
      changed_before_footer |= i < footer && copy[i] != was;
    }
    write_bytes(damaged, copy, copy.size());
    Result<ReadBack> back = read_all(damaged);
    if (changed_before_footer) {
      EXPECT_FALSE(back.ok()) << "round " << round << ": damage at " << at << " went unnoticed";
    } else if (back.ok()) {
      EXPECT_EQ(back->events.size(), kSmallTrace);
    }
  }
}

TEST(TraceFile, ReportsAChecksumMismatchByName) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, kSmallTrace).ok());
  std::vector<char> bytes = read_bytes(path);
  // The last byte of the footer is the last of its fixed64 fingerprint; the checksum's 8 bytes are
  // just after the footer's first field (events, a one-byte varint here) and its own tag.
  const std::size_t footer = footer_offset(bytes);
  const std::size_t checksum = footer + 1 /*prefix*/ + 2 /*Record tag, length*/ + 2 /*events*/ + 1 /*tag*/;
  bytes[checksum] = static_cast<char>(bytes[checksum] ^ 0x10);
  write_bytes(path, bytes, bytes.size());
  Result<ReadBack> back = read_all(path);
  ASSERT_FALSE(back.ok());
  EXPECT_THAT(back.error().message, HasSubstr("corrupt: checksum mismatch"));
}

TEST(TraceFile, ReportsDataAfterTheFooterAsCorrupt) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, 3).ok());
  std::vector<char> bytes = read_bytes(path);
  bytes.push_back(0);
  write_bytes(path, bytes, bytes.size());
  Result<ReadBack> back = read_all(path);
  ASSERT_FALSE(back.ok());
  EXPECT_THAT(back.error().message, HasSubstr("corrupt: data after the footer"));
}

TEST(TraceFile, SkipsARecordKindAddedByALaterMinorVersion) {
  // A 1.x reader must read a 1.y trace that holds a kind of record it does not know (Record field
  // 5 here, empty): skipped, but still part of the checksum.
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, 3).ok());
  std::vector<char> bytes = read_bytes(path);
  const std::size_t footer = footer_offset(bytes);
  std::vector<char> edited(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(footer));
  const char unknown[] = {2, (5 << 3) | 2, 0};  // length 2: field 5, length-delimited, empty
  edited.insert(edited.end(), std::begin(unknown), std::end(unknown));
  const std::size_t checksum_at = edited.size() + 1 + 2 + 2 + 1;  // as in ReportsAChecksumMismatchByName
  edited.insert(edited.end(), bytes.begin() + static_cast<std::ptrdiff_t>(footer), bytes.end());
  const std::uint64_t checksum = XXH3_64bits(edited.data(), footer + sizeof unknown);
  for (int i = 0; i < 8; ++i) edited[checksum_at + i] = static_cast<char>(checksum >> (8 * i));
  write_bytes(path, edited, edited.size());

  Result<ReadBack> back = read_all(path);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->events.size(), 3U);
}

TEST(TraceFile, RejectsANewerMajorVersionWithAMessage) {
  ScratchDir dir;
  const std::string path = dir.file("v2.pb");
  TraceHeader header = trace_sample::header();
  header.major_version = kTraceMajorVersion + 1;
  ASSERT_TRUE(trace_sample::write(path, 3, header).ok());
  Result<TraceReader> reader = TraceReader::open(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().message, "trace.pb was written by format 2.x; this misim reads 1.x; upgrade misim");
  EXPECT_EQ(reader.error().to_string(), path + ": error: " + reader.error().message);
}

TEST(TraceFile, ReadsANewerMinorVersion) {
  ScratchDir dir;
  const std::string path = dir.file("v1.7.pb");
  TraceHeader header = trace_sample::header();
  header.minor_version = kTraceMinorVersion + 7;
  ASSERT_TRUE(trace_sample::write(path, 3, header).ok());
  Result<ReadBack> back = read_all(path);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->header.minor_version, kTraceMinorVersion + 7);
}

TEST(TraceFile, SaysWhatIsWrongWithAFileThatIsNotATrace) {
  ScratchDir dir;
  const std::string empty = dir.file("empty");
  write_bytes(empty, {}, 0);
  EXPECT_EQ(TraceReader::open(empty).error().message, "not a misim trace (the file is empty)");

  const std::string text = dir.file("scenario.yaml");
  const std::string yaml = "# a scenario, not a trace\nname: x\nseed: 1\nduration: 1h\n";
  write_bytes(text, {yaml.begin(), yaml.end()}, yaml.size());
  EXPECT_THAT(TraceReader::open(text).error().message, HasSubstr("not a misim trace"));

  EXPECT_THAT(TraceReader::open(dir.file("missing.pb")).error().message, HasSubstr("cannot open the trace"));
}

TEST(TraceFile, ReportsAWriterThatCannotCreateItsFile) {
  ScratchDir dir;
  const std::string path = dir.file("no/such/dir/trace.pb");
  auto writer = TraceWriter::create(path, trace_sample::header());
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().place.file, path);
  EXPECT_THAT(writer.error().message, HasSubstr("cannot create the trace file"));
}

TEST(TraceFile, ReturnsTheFirstWriteErrorFromClose) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto writer = TraceWriter::create("/dev/full", trace_sample::header());
  ASSERT_TRUE(writer.ok());
  (*writer)->on_begin(trace_sample::header().run);
  for (std::uint64_t i = 0; i < 100'000; ++i) (*writer)->on_event(trace_sample::event(i));  // fills the buffer
  (*writer)->on_end(0, false);
  Status closed = (*writer)->close();
  ASSERT_FALSE(closed.ok());
  EXPECT_THAT(closed.error().message, HasSubstr("cannot write the trace"));
  EXPECT_EQ((*writer)->events_written(), 100'000U);
}

TEST(TraceFile, CloseWithoutTheRunsEndLeavesATraceReadAsTruncated) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  auto writer = TraceWriter::create(path, trace_sample::header());
  ASSERT_TRUE(writer.ok());
  (*writer)->on_begin(trace_sample::header().run);
  for (std::uint64_t i = 0; i < 5; ++i) (*writer)->on_event(trace_sample::event(i));
  Status closed = (*writer)->close();
  ASSERT_FALSE(closed.ok());
  EXPECT_THAT(closed.error().message, HasSubstr("no footer"));
  EXPECT_EQ(read_all(path).error().message, "truncated after 5 events (the run was killed or the file cut short)");
}

TEST(TraceFile, ADestroyedUnclosedWriterLeavesATraceReadAsTruncated) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  {
    auto writer = TraceWriter::create(path, trace_sample::header());
    ASSERT_TRUE(writer.ok());
    (*writer)->on_begin(trace_sample::header().run);
    for (std::uint64_t i = 0; i < 7; ++i) (*writer)->on_event(trace_sample::event(i));
  }
  EXPECT_EQ(read_all(path).error().message, "truncated after 7 events (the run was killed or the file cut short)");
}

TEST(TraceFile, RepeatsTheEndAndTheFirstErrorOnFurtherReads) {
  ScratchDir dir;
  const std::string path = dir.file("trace.pb");
  ASSERT_TRUE(trace_sample::write(path, 2).ok());
  Result<TraceReader> reader = TraceReader::open(path);
  ASSERT_TRUE(reader.ok());
  while (*reader->next() != TraceItem::kEnd) {
  }
  EXPECT_EQ(*reader->next(), TraceItem::kEnd);

  std::vector<char> bytes = read_bytes(path);
  write_bytes(path, bytes, bytes.size() - 3);
  Result<TraceReader> cut = TraceReader::open(path);
  ASSERT_TRUE(cut.ok());
  Result<TraceItem> item = cut->next();
  while (item.ok()) item = cut->next();
  EXPECT_EQ(cut->next().error().message, item.error().message);
}

TEST(TraceFile, ReadsARecordLargerThanTheWriteAndReadBuffers) {
  // A header of several megabytes (a long timeline) goes through both buffers in pieces.
  ScratchDir dir;
  const std::string path = dir.file("big.pb");
  TraceHeader header = trace_sample::header();
  for (int i = 0; i < 100'000; ++i) header.run.operations.push_back("delete web-" + std::to_string(i) + "-identity");
  ASSERT_TRUE(trace_sample::write(path, 10, header).ok());
  Result<ReadBack> back = read_all(path);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->header.run.operations, header.run.operations);
  EXPECT_EQ(back->events.size(), 10U);
}

}  // namespace
}  // namespace misim
