// trace.pb: the run's events in Protocol Buffers (schema sim/trace/trace.proto, package
// misim.trace.v1), written as a stream of length-delimited records: one header, then entities and
// events in the order the model emitted them, then one footer with the event count and a checksum.
// docs/traces.md describes the format for readers in other languages.
//
// The generated protobuf code stays inside sim/trace; these classes speak misim's own types.
//
//   header.level = TraceLevel::kRequests;
//   auto writer = TraceWriter::create(path, header);                         // an EventSink
//   simulation.attach(**writer, TraceLevel::kRequests);
//   simulation.run(); simulation.finish(false);                              // ... on_end
//   (*writer)->set_fingerprint(simulation.fingerprint());
//   if (Status s = (*writer)->close(); !s) ...                               // writes the footer
//
//   auto reader = TraceReader::open(path);            // reads the header only
//   while (true) {
//     Result<TraceItem> item = reader->next();        // streams: memory independent of length
//     if (!item) { report(item.error()); break; }     // truncated, corrupt, newer major version
//     if (*item == TraceItem::kEnd) break;            // the footer was read and checked
//     if (*item == TraceItem::kEvent) use(reader->event());
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "misim/result.hpp"
#include "misim/trace_event.hpp"

namespace misim {

/// The trace format's version. A reader accepts any minor version of its own major version.
inline constexpr std::uint32_t kTraceMajorVersion = 1;
inline constexpr std::uint32_t kTraceMinorVersion = 0;

/// What the writer knows before the run; RunInfo arrives through EventSink::on_begin.
struct TraceHeader {
  std::string misim_version;
  std::string scenario;       // its name
  std::string scenario_file;  // as given on the command line
  std::string scenario_hash;  // hex digest of the scenario text
  std::uint64_t seed = 0;
  std::vector<std::pair<std::string, std::string>> params;  // name, value as text, in file order
  TraceLevel level = TraceLevel::kNone;
  std::uint32_t major_version = kTraceMajorVersion;
  std::uint32_t minor_version = kTraceMinorVersion;
  RunInfo run;
};

struct TraceFooter {
  std::uint64_t events = 0;       // event records in the file
  std::uint64_t checksum = 0;     // XXH3-64 of the file's bytes before the footer record (header included)
  SimTime end_time = 0;           // simulated time the run stopped at
  bool interrupted = false;       // stopped by a signal before its duration
  std::uint64_t fingerprint = 0;  // the run's fingerprint (summary.json's, as a number)
};

/// An entity record read back (EntityInfo with owned strings).
struct TraceEntity {
  EntityKind kind = EntityKind::kResource;
  std::uint32_t index = 0;
  std::string type;
  std::string name;
  SimTime created = 0;
};

/// Writes what it is given: level filtering is the Recorder's. Output is buffered (1 MiB) and an
/// event allocates nothing once the writer is warm. I/O errors are kept and returned by close().
class TraceWriter : public EventSink {
 public:
  /// Opens `path` for writing (truncating it). The header is written at on_begin (or before the
  /// first record if on_begin never came, with the RunInfo of `header`).
  static Result<std::unique_ptr<TraceWriter>> create(const std::string& path, TraceHeader header);
  ~TraceWriter() override;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void on_begin(const RunInfo& run) override;
  void on_entity(const EntityInfo& entity) override;
  void on_event(const TraceEvent& event) override;
  /// Notes the end for the footer, which close() writes.
  void on_end(SimTime now, bool interrupted) override;
  /// The run's fingerprint for the footer (Recorder::fingerprint(), known only after the last
  /// event); any time before close().
  void set_fingerprint(std::uint64_t fingerprint) noexcept;

  /// Writes the footer, flushes and syncs the file; the first I/O error of the whole write, if
  /// any. Without on_end first, no footer is written (readers report the trace as cut short) and
  /// close() says so. A writer destroyed unclosed leaves what it wrote, without a footer.
  Status close();
  [[nodiscard]] std::uint64_t events_written() const noexcept;
  [[nodiscard]] std::uint64_t bytes_written() const noexcept;

 private:
  struct Impl;
  explicit TraceWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

enum class TraceItem { kEntity, kEvent, kEnd };

class TraceReader {
 public:
  /// Opens a trace and reads its header. Errors name the file (Error::place.file) and what is
  /// wrong with it: "not a misim trace (...)", a newer major version ("... upgrade misim").
  static Result<TraceReader> open(const std::string& path);
  ~TraceReader();
  TraceReader(TraceReader&&) noexcept;
  TraceReader& operator=(TraceReader&&) noexcept;

  [[nodiscard]] const TraceHeader& header() const noexcept;
  /// Reads the next record. After kEnd, footer() is valid and its count and checksum matched.
  /// Errors: "truncated after N events (...)", "corrupt: ..." (a checksum mismatch shows only at
  /// the footer, after every event was read). After an error or kEnd, next() repeats it.
  Result<TraceItem> next();
  [[nodiscard]] const TraceEvent& event() const noexcept;
  [[nodiscard]] const TraceEntity& entity() const noexcept;
  [[nodiscard]] const TraceFooter& footer() const noexcept;

 private:
  struct Impl;
  explicit TraceReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace misim
