// SQLite converter: the tables of trace_tables.hpp in one database file, filled in a single
// transaction through one prepared INSERT per table, indexed after the load (building an index
// once is faster than keeping it sorted row by row). The database is written to `.NAME.partial`
// and renamed into place at the end, so a failed conversion leaves nothing at NAME.
#include <sqlite3.h>

#include <array>
#include <cstdio>
#include <utility>

#include "atomic_output_file.hpp"
#include "misim/trace_convert.hpp"
#include "trace_tables.hpp"

namespace misim {

namespace {

std::string_view sql_type(ColumnType type) noexcept {
  switch (type) {
    case ColumnType::kInteger:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
    case ColumnType::kText:
      return "TEXT";
  }
  return "";
}

class SqliteTraceWriter final : public TraceConsumer, private RowSink {
 public:
  SqliteTraceWriter(std::string path, std::string partial) : path_(std::move(path)), partial_(std::move(partial)) {}
  ~SqliteTraceWriter() override {
    close();
    if (!committed_) std::remove(partial_.c_str());
  }
  SqliteTraceWriter(const SqliteTraceWriter&) = delete;
  SqliteTraceWriter& operator=(const SqliteTraceWriter&) = delete;

  /// Creates the database, its tables and statements, and begins the transaction.
  Status open();

  void on_header(const TraceHeader& header) override { tables_.on_header(header); }
  void on_entity(const TraceEntity& entity) override { tables_.on_entity(entity); }
  void on_event(const TraceEvent& event) override { tables_.on_event(event); }
  Status on_footer(const TraceFooter& footer) override;
  [[nodiscard]] std::size_t retained_records() const noexcept override { return tables_.retained_records(); }

 private:
  void begin_row(TraceTable table) override {
    row_ = inserts_[static_cast<std::size_t>(table)];
    column_ = 0;
  }
  void integer(std::int64_t value) override { check(sqlite3_bind_int64(row_, ++column_, value)); }
  void real(double value) override { check(sqlite3_bind_double(row_, ++column_, value)); }
  void text(std::string_view value) override {
    // SQLITE_TRANSIENT: sqlite copies the text, whose buffer is reused for the next column.
    check(sqlite3_bind_text(row_, ++column_, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void null() override { check(sqlite3_bind_null(row_, ++column_)); }
  void end_row() override {
    if (error_.empty() && sqlite3_step(row_) != SQLITE_DONE) fail("cannot insert a row");
    sqlite3_reset(row_);
  }

  void check(int rc) {
    if (rc != SQLITE_OK && error_.empty()) fail("cannot bind a value");
  }
  void fail(std::string_view what) { error_ = partial_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_); }
  Status exec(const std::string& sql);
  void close();

  std::string path_;
  std::string partial_;
  sqlite3* db_ = nullptr;
  std::array<sqlite3_stmt*, kTraceTableCount> inserts_{};
  TraceTables tables_{*this};
  sqlite3_stmt* row_ = nullptr;
  int column_ = 0;
  std::string error_;  // the first error; rows after it are dropped
  bool committed_ = false;
};

Status SqliteTraceWriter::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error e{partial_ + ": " + (message != nullptr ? message : "sqlite error") + " in: " + sql, {}};
    sqlite3_free(message);
    return e;
  }
  return {};
}

Status SqliteTraceWriter::open() {
  std::remove(partial_.c_str());  // a stale file of an earlier, failed conversion
  if (sqlite3_open_v2(partial_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    return Error{"cannot create '" + partial_ + "': " + (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"), {}};
  }
  // No journal and no syncs while loading: the file is not visible under its name until the
  // rename, and publish() syncs it once before that. The page cache is bounded (32 MiB).
  if (Status s = exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; "
                      "PRAGMA cache_size=-32768;");
      !s) {
    return s;
  }
  for (const TableSchema& schema : trace_table_schemas()) {
    std::string create = "CREATE TABLE " + std::string(schema.name) + " (";
    std::string insert = "INSERT INTO " + std::string(schema.name) + " VALUES (";
    for (std::size_t c = 0; c < schema.columns.size(); ++c) {
      create += (c > 0 ? ", " : "") + std::string(schema.columns[c].name) + " " +
                std::string(sql_type(schema.columns[c].type));
      insert += c > 0 ? ", ?" : "?";
    }
    if (Status s = exec(create + ");"); !s) return s;
    insert += ")";
    sqlite3_stmt*& stmt = inserts_[static_cast<std::size_t>(schema.table)];
    if (sqlite3_prepare_v2(db_, insert.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Error{partial_ + ": " + sqlite3_errmsg(db_) + " in: " + insert, {}};
    }
  }
  return exec("BEGIN;");
}

Status SqliteTraceWriter::on_footer(const TraceFooter& footer) {
  tables_.on_footer(footer);
  if (!error_.empty()) return Error{error_, {}};
  for (const TableSchema& schema : trace_table_schemas()) {
    for (const TableIndex& index : schema.indexes) {
      if (Status s = exec("CREATE INDEX " + std::string(index.name) + " ON " + std::string(schema.name) + " (" +
                          std::string(index.columns) + ");");
          !s) {
        return s;
      }
    }
  }
  if (Status s = exec("COMMIT;"); !s) return s;
  close();
  if (Status s = publish(partial_, path_); !s) return s;
  committed_ = true;
  return {};
}

void SqliteTraceWriter::close() {
  for (sqlite3_stmt*& stmt : inserts_) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
  }
  if (db_ != nullptr) sqlite3_close(db_);
  db_ = nullptr;
}

}  // namespace

Result<std::unique_ptr<TraceConsumer>> sqlite_trace_writer(const std::string& path) {
  auto writer = std::make_unique<SqliteTraceWriter>(path, partial_path_of(path));
  if (Status s = writer->open(); !s) return s.error();
  return std::unique_ptr<TraceConsumer>(std::move(writer));
}

}  // namespace misim
