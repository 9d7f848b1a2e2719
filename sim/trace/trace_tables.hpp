// The relational view of a trace: which tables a trace becomes, their columns, and the row each
// record gives. The CSV and SQLite converters write the same tables through a RowSink, so a query
// written against one works on the other (docs/traces.md, "SQL examples").
//
// Column names carry their units (time_ns, latency_ms); entities appear by name; a value a record
// does not have is NULL (an empty CSV field).
//
//   class Printer : public RowSink { ... };
//   Printer sink;
//   TraceTables tables(sink);
//   tables.on_header(header); tables.on_event(event); ...; tables.on_footer(footer);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "entity_names.hpp"
#include "misim/trace_event.hpp"
#include "misim/trace_file.hpp"

namespace misim {

enum class TraceTable : std::uint8_t {
  kRun,            // key, value: the header and footer (scenario, seed, params, fingerprint)
  kEntities,       // the entity table
  kRequests,       // kTokenRequest
  kAttempts,       // kAttempt
  kStationVisits,  // kStationVisit
  kRejections,     // kRejected
  kLifecycle,      // operations, faults, role visibility, replication, certificates
  kAccess,         // kAccessChange
  kCalls,          // kCall
  kSamples,        // kSample
  kStations,       // RunInfo::stations with their kStationTotals
};
inline constexpr std::size_t kTraceTableCount = 11;

enum class ColumnType : std::uint8_t { kInteger, kReal, kText };

struct TableColumn {
  std::string_view name;
  ColumnType type;
};

struct TableIndex {
  std::string_view name;
  std::string_view columns;  // "resource, time_ns"
};

struct TableSchema {
  TraceTable table;
  std::string_view name;  // the SQL table, and the CSV file without ".csv"
  std::span<const TableColumn> columns;
  std::span<const TableIndex> indexes;
};

/// Every table, in TraceTable order.
[[nodiscard]] std::span<const TableSchema> trace_table_schemas() noexcept;
[[nodiscard]] const TableSchema& schema_of(TraceTable table) noexcept;

/// Where rows go. A row is begin_row, one call per column in schema order, end_row.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void begin_row(TraceTable table) = 0;
  virtual void integer(std::int64_t value) = 0;
  virtual void real(double value) = 0;
  virtual void text(std::string_view value) = 0;
  virtual void null() = 0;
  virtual void end_row() = 0;
};

/// Turns the records of a trace into rows.
class TraceTables {
 public:
  explicit TraceTables(RowSink& sink) : sink_(sink) {}

  void on_header(const TraceHeader& header);
  void on_entity(const TraceEntity& entity);
  void on_event(const TraceEvent& event);
  /// The footer's rows, and rows for stations the trace had no totals for.
  void on_footer(const TraceFooter& footer);
  [[nodiscard]] std::size_t retained_records() const noexcept { return names_.size() + station_written_.size(); }

 private:
  void run_row(std::string_view key, std::string_view value);
  void entity(EntityKind kind, std::uint32_t index);
  void station(std::uint16_t index);
  void millis(SimTime ns) { sink_.real(static_cast<double>(ns) / 1e6); }
  void request_row(const TraceEvent& e);
  void attempt_row(const TraceEvent& e);
  void visit_row(const TraceEvent& e);
  void rejection_row(const TraceEvent& e);
  void lifecycle_row(const TraceEvent& e);
  void access_row(const TraceEvent& e);
  void call_row(const TraceEvent& e);
  void sample_row(const TraceEvent& e);
  void station_row(std::uint16_t index, const TraceEvent* totals);

  RowSink& sink_;
  TraceHeader header_;
  EntityNames names_;
  std::vector<bool> station_written_;  // a stations row was written (from its totals)
  std::string scratch_;
};

}  // namespace misim
