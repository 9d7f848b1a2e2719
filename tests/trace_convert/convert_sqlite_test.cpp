// misim trace convert --to sqlite: the tables of the CSV files in one database, indexed, and the
// SQL examples of docs/traces.md run on it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "misim/trace_convert.hpp"
#include "scratch_directory.hpp"
#include "synthetic_trace.hpp"

namespace misim {
namespace {

using testing::ScratchDirectory;
using testing::SyntheticTrace;

/// A database opened read-only for the test's queries.
class Database {
 public:
  explicit Database(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK) << path;
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Rows of the query, each column as text ("NULL" for NULL), columns joined by '|'.
  std::vector<std::string> rows(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << " in: " << sql;
      return out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (c > 0) row += '|';
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
      }
      out.push_back(row);
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string value(const std::string& sql) {
    const std::vector<std::string> r = rows(sql);
    return r.empty() ? "" : r.front();
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string convert_to_sqlite(const SyntheticTrace& trace, const ScratchDirectory& dir) {
  const std::string path = dir.file("t.db");
  Result<std::unique_ptr<TraceConsumer>> writer = sqlite_trace_writer(path);
  EXPECT_TRUE(writer.ok()) << writer.error().message;
  const Status s = testing::feed(trace, **writer);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return path;
}

std::size_t count_kind(const SyntheticTrace& t, EventKind kind) {
  std::size_t n = 0;
  for (const TraceEvent& e : t.events) n += e.kind == kind ? 1 : 0;
  return n;
}

TEST(SqliteExport, HoldsARowPerEventInEachTable) {
  ScratchDirectory dir;
  const SyntheticTrace t = SyntheticTrace::standard();
  Database db(convert_to_sqlite(t, dir));
  const auto count = [&](const char* table) { return db.value(std::string("SELECT COUNT(*) FROM ") + table); };
  EXPECT_EQ(count("requests"), std::to_string(count_kind(t, EventKind::kTokenRequest)));
  EXPECT_EQ(count("attempts"), std::to_string(count_kind(t, EventKind::kAttempt)));
  EXPECT_EQ(count("station_visits"), std::to_string(count_kind(t, EventKind::kStationVisit)));
  EXPECT_EQ(count("rejections"), std::to_string(count_kind(t, EventKind::kRejected)));
  EXPECT_EQ(count("calls"), std::to_string(count_kind(t, EventKind::kCall)));
  EXPECT_EQ(count("access"), std::to_string(count_kind(t, EventKind::kAccessChange)));
  EXPECT_EQ(count("samples"), std::to_string(count_kind(t, EventKind::kSample)));
  EXPECT_EQ(count("lifecycle"), "6");
  EXPECT_EQ(count("stations"), "3");
  EXPECT_EQ(count("entities"), std::to_string(t.entities.size()));
  EXPECT_EQ(db.value("SELECT value FROM run WHERE key = 'fingerprint'"), "0123456789abcdef");
}

TEST(SqliteExport, TypesColumnsAndResolvesNames) {
  ScratchDirectory dir;
  Database db(convert_to_sqlite(SyntheticTrace::standard(), dir));
  EXPECT_EQ(db.value("SELECT resource, identity, target, latency_ms, typeof(latency_ms), retries FROM requests "
                     "WHERE request = 2"),
            "web-0|web-id|vault|547.0|real|1");
  EXPECT_EQ(db.value("SELECT station, resource, wait_ms FROM station_visits WHERE request = 2"),
            "aad.eastus|web-0|5.0");
  // A plain stage's customer names no host.
  EXPECT_EQ(db.value("SELECT resource, token_request FROM station_visits WHERE request = 101"), "NULL|0");
}

TEST(SqliteExport, IndexesTheUsualQuestions) {
  ScratchDirectory dir;
  Database db(convert_to_sqlite(SyntheticTrace::standard(), dir));
  EXPECT_EQ(db.rows("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"),
            (std::vector<std::string>{"access_by_pair", "attempts_by_request", "lifecycle_by_time",
                                      "requests_by_resource", "station_visits_by_station"}));
  const std::string plan =
      db.value("EXPLAIN QUERY PLAN SELECT * FROM requests WHERE resource = 'web-0' AND time_ns > 0");
  EXPECT_NE(plan.find("requests_by_resource"), std::string::npos) << plan;
}

// The queries of docs/traces.md, "SQL examples".
TEST(SqliteExport, AnswersTheDocumentedQueries) {
  ScratchDirectory dir;
  Database db(convert_to_sqlite(SyntheticTrace::standard(), dir));
  EXPECT_EQ(db.rows(R"sql(
      WITH ranked AS (
        SELECT resource, latency_ms,
               ROW_NUMBER() OVER (PARTITION BY resource ORDER BY latency_ms) AS rank,
               COUNT(*) OVER (PARTITION BY resource) AS n
        FROM requests WHERE status = 200)
      SELECT resource, MIN(latency_ms) AS p99_ms FROM ranked WHERE rank >= 0.99 * n
      GROUP BY resource ORDER BY p99_ms DESC;)sql"),
            (std::vector<std::string>{"web-0|547.0", "web-1|45.0"}));
  EXPECT_EQ(db.rows(R"sql(
      SELECT time_ns / 60000000000 AS minute, COUNT(*) AS throttled
      FROM attempts WHERE status = 429 GROUP BY minute ORDER BY minute;)sql"),
            (std::vector<std::string>{"0|1"}));
  EXPECT_EQ(db.rows(R"sql(
      SELECT resource, target, MIN(time_ns) / 1e9 AS first_denied_s, outcome
      FROM access WHERE outcome_code <> 0 GROUP BY resource, target;)sql"),
            (std::vector<std::string>{"web-0|vault|40.0|no role assignment"}));
  EXPECT_EQ(db.rows(R"sql(
      SELECT station, COUNT(*) AS visits, ROUND(AVG(wait_ms), 3) AS mean_wait_ms
      FROM station_visits
      WHERE begin_ns >= (SELECT CAST(value AS INTEGER) FROM run WHERE key = 'warmup_ns')
      GROUP BY station ORDER BY station;)sql"),
            (std::vector<std::string>{"aad.eastus|3|1.667", "checkout|2|45.0"}));
}

TEST(SqliteExport, LeavesNothingWhenTheTraceEndsEarly) {
  ScratchDirectory dir;
  const SyntheticTrace t = SyntheticTrace::standard();
  {
    Result<std::unique_ptr<TraceConsumer>> writer = sqlite_trace_writer(dir.file("t.db"));
    ASSERT_TRUE(writer.ok());
    (*writer)->on_header(t.header);
    for (const TraceEvent& e : t.events) (*writer)->on_event(e);
  }
  EXPECT_EQ(dir.listing(), "");
}

TEST(SqliteExport, ReplacesAnOlderDatabaseOnlyWhenDone) {
  ScratchDirectory dir;
  const SyntheticTrace t = SyntheticTrace::standard();
  convert_to_sqlite(t, dir);
  {
    Result<std::unique_ptr<TraceConsumer>> writer = sqlite_trace_writer(dir.file("t.db"));
    ASSERT_TRUE(writer.ok());
    (*writer)->on_header(t.header);  // abandoned: the first database stays
  }
  Database db(dir.file("t.db"));
  EXPECT_EQ(db.value("SELECT COUNT(*) FROM requests"), "5");
  EXPECT_EQ(dir.listing(), "t.db ");
}

}  // namespace
}  // namespace misim
