// TraceStatistics: summary.json's numbers recomputed from a trace (`misim trace stats`).
//
// The output uses summary.json's paths and number formats (`stages.aad.wait_ms.p99`,
// `requests.by_status.429`), so a script can read either file and the tests compare the two field
// by field. Each field needs some trace level; fields the trace's level does not record are left
// out and listed under `trace.unavailable`, and `trace.levels` says which level each field needs.
// docs/traces.md ("Statistics from a trace") lists the fields and what they are computed from.
//
//   TraceStatistics stats;
//   if (Status s = convert(*reader, stats); !s) fail(s.error());
//   std::cout << stats.json_text();
#pragma once

#include <memory>
#include <string>

#include "misim/trace_convert.hpp"

namespace misim {

class TraceStatistics final : public TraceConsumer {
 public:
  TraceStatistics();
  ~TraceStatistics() override;
  TraceStatistics(const TraceStatistics&) = delete;
  TraceStatistics& operator=(const TraceStatistics&) = delete;

  void on_header(const TraceHeader& header) override;
  void on_event(const TraceEvent& event) override;
  Status on_footer(const TraceFooter& footer) override;
  [[nodiscard]] std::size_t retained_records() const noexcept override;

  /// The statistics as pretty-printed JSON with a trailing newline (complete after on_footer).
  [[nodiscard]] std::string json_text() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace misim
