// The sections of report.html (private to sim/report), each in its own file: latency over time,
// request outcomes, queues and utilisation, the access timeline, the identity graph. Each appends
// an HTML fragment (a <section> with its SVG charts) to `out`; report_page.cpp assembles them.
#pragma once

#include <cstdint>
#include <string>

#include "misim/report.hpp"
#include "report_svg.hpp"

namespace misim {
class Directory;
}

namespace misim::report {

/// Names for entity indices: the collector's, else the directory's, else "resource #12".
class EntityNames {
 public:
  EntityNames(const ReportCollector& collector, const Directory* directory)
      : collector_(collector), directory_(directory) {}
  [[nodiscard]] std::string resource(std::uint32_t index) const;

 private:
  const ReportCollector& collector_;
  const Directory* directory_;
};

/// A full-width (or `width`) time chart frame over the collector's run.
[[nodiscard]] TimeFrame time_frame(const ReportCollector& collector, double width, double height);
/// Buckets that the run reached (all of them unless it was interrupted).
[[nodiscard]] std::size_t reached_buckets(const ReportCollector& collector);

void render_latency_section(std::string& out, const ReportCollector& collector);
void render_outcome_section(std::string& out, const ReportCollector& collector);
void render_queue_section(std::string& out, const ReportCollector& collector);
void render_access_section(std::string& out, const ReportCollector& collector, const EntityNames& names);
/// Resources -> identities -> role assignments -> scopes, grouped when the estate is large.
void render_identity_graph(std::string& out, const Directory* directory, const ReportCollector& collector);

}  // namespace misim::report
