// CSV converter: one file per table of trace_tables.hpp in the output directory (requests.csv,
// attempts.csv, ...), RFC 4180 quoting, a header line of column names, NULL as an empty field.
#include <array>
#include <filesystem>
#include <optional>
#include <utility>

#include "atomic_output_file.hpp"
#include "misim/trace_convert.hpp"
#include "text_format.hpp"
#include "trace_tables.hpp"

namespace misim {

namespace {

/// The output directory when the conversion made it: removed again (if empty) unless kept.
struct CreatedDirectory {
  std::string path;  // empty: it existed before
  bool keep = false;
  ~CreatedDirectory() {
    std::error_code ec;
    if (!path.empty() && !keep) std::filesystem::remove(path, ec);  // only an empty directory
  }
};

class CsvTraceWriter final : public TraceConsumer, private RowSink {
 public:
  CsvTraceWriter(std::string created, std::array<std::optional<AtomicOutputFile>, kTraceTableCount> files)
      : directory_{std::move(created)}, files_(std::move(files)) {
    for (const TableSchema& schema : trace_table_schemas()) {
      std::string& out = files_[static_cast<std::size_t>(schema.table)]->buffer();
      for (std::size_t c = 0; c < schema.columns.size(); ++c) {
        if (c > 0) out += ',';
        out += schema.columns[c].name;
      }
      out += '\n';
    }
  }

  void on_header(const TraceHeader& header) override { tables_.on_header(header); }
  void on_entity(const TraceEntity& entity) override { tables_.on_entity(entity); }
  void on_event(const TraceEvent& event) override { tables_.on_event(event); }
  Status on_footer(const TraceFooter& footer) override {
    tables_.on_footer(footer);
    for (std::optional<AtomicOutputFile>& f : files_) {
      if (Status s = f->commit(); !s) return s;
    }
    directory_.keep = true;
    return {};
  }
  [[nodiscard]] std::size_t retained_records() const noexcept override { return tables_.retained_records(); }

 private:
  void begin_row(TraceTable table) override {
    row_ = &*files_[static_cast<std::size_t>(table)];
    out_ = &row_->buffer();
    first_cell_ = true;
  }
  void separate() {
    if (!first_cell_) *out_ += ',';
    first_cell_ = false;
  }
  void integer(std::int64_t value) override {
    separate();
    text::append_integer(*out_, value);
  }
  void real(double value) override {
    separate();
    text::append_double(*out_, value);
  }
  void text(std::string_view value) override {
    separate();
    text::append_csv_field(*out_, value);
  }
  void null() override { separate(); }
  void end_row() override {
    *out_ += '\n';
    row_->flush_if_full();
  }

  CreatedDirectory directory_;  // before the files: destroyed after them
  std::array<std::optional<AtomicOutputFile>, kTraceTableCount> files_;
  TraceTables tables_{*this};
  AtomicOutputFile* row_ = nullptr;
  std::string* out_ = nullptr;
  bool first_cell_ = true;
};

}  // namespace

Result<std::unique_ptr<TraceConsumer>> csv_trace_writer(const std::string& directory) {
  std::error_code ec;
  const bool created = std::filesystem::create_directories(directory, ec);
  if (ec) return Error{"cannot create output directory '" + directory + "': " + ec.message(), {}};
  CreatedDirectory cleanup{created ? directory : std::string()};
  std::array<std::optional<AtomicOutputFile>, kTraceTableCount> files;
  for (const TableSchema& schema : trace_table_schemas()) {
    Result<AtomicOutputFile> f = AtomicOutputFile::create(directory + "/" + std::string(schema.name) + ".csv");
    if (!f) return std::move(f).error();
    files[static_cast<std::size_t>(schema.table)].emplace(std::move(f).value());
  }
  cleanup.keep = true;  // the writer removes it from now on
  return std::unique_ptr<TraceConsumer>(
      std::make_unique<CsvTraceWriter>(created ? directory : std::string(), std::move(files)));
}

}  // namespace misim
