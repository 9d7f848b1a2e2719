// Converting a trace (trace.pb) into files other tools read: Chrome trace-event JSON for Perfetto
// UI and chrome://tracing, CSV tables, and an SQLite database (docs/traces.md, "Converting a trace").
//
// A converter is a TraceConsumer: it is told the header, then every entity and event in the order
// the model emitted them, then the footer. convert() drives one from a TraceReader; tests and
// embedding programs call the on_* functions themselves. Converters stream: what they hold in
// memory grows with the entities and with the requests in flight at one moment, never with the
// length of the trace. Output is written beside its final name and renamed into place by
// on_footer(), so a failed or abandoned conversion leaves nothing behind.
//
//   Result<TraceReader> reader = TraceReader::open("out/trace.pb");
//   Result<std::unique_ptr<TraceConsumer>> chrome = chrome_trace_writer("t.json");
//   if (Status s = convert(*reader, **chrome); !s) fail(s.error());
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "misim/result.hpp"
#include "misim/trace_event.hpp"
#include "misim/trace_file.hpp"

namespace misim {

class TraceConsumer {
 public:
  virtual ~TraceConsumer() = default;
  virtual void on_header(const TraceHeader& /*header*/) {}
  virtual void on_entity(const TraceEntity& /*entity*/) {}
  virtual void on_event(const TraceEvent& event) = 0;
  /// The trace ended complete; a converter finishes its output here and says whether it could.
  virtual Status on_footer(const TraceFooter& /*footer*/) { return {}; }
  /// True once the consumer needs no more records (a sequence diagram whose request has ended).
  [[nodiscard]] virtual bool done() const noexcept { return false; }
  /// Records held in memory now (entity names, requests in flight, track lanes): what the
  /// streaming tests watch to show that nothing is kept per event.
  [[nodiscard]] virtual std::size_t retained_records() const noexcept { return 0; }
};

/// Feeds the reader's header and records to `consumer` until the footer (returning on_footer's
/// status) or until the consumer is done. A reader error (truncated, corrupt) is returned as is;
/// on_footer is then never called, so converters leave no output.
Status convert(TraceReader& reader, TraceConsumer& consumer);

/// Chrome trace-event JSON ("JSON Object Format"): each token request a slice on a track of its
/// host with its attempts and AAD visits nested inside, plain stage customers on their station's
/// tracks, lifecycle events as instants, station samples as counters.
Result<std::unique_ptr<TraceConsumer>> chrome_trace_writer(const std::string& path);
/// One CSV file per event family in `directory` (requests.csv, attempts.csv, ...), entity names
/// resolved, units in the column names.
Result<std::unique_ptr<TraceConsumer>> csv_trace_writer(const std::string& directory);
/// The same tables in one SQLite database, with indexes for the usual questions.
Result<std::unique_ptr<TraceConsumer>> sqlite_trace_writer(const std::string& path);

}  // namespace misim
