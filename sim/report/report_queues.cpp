// report.html, "Queues and utilisation": from the stations' periodic samples, the requests waiting
// and the fraction of servers busy over time, for the token endpoints (all hosts as one), MIRP,
// each AAD region and each plain stage.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "report_sections.hpp"

namespace misim::report {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr std::array<std::string_view, 6> kLineColours = {kBlue, kVermillion, kGreen, kOrange, kPurple, kSky};

/// Stations drawn together: one line each, or summed into one line when there are many.
struct StationGroup {
  std::string title;
  std::string what;
  std::vector<std::size_t> stations;
  bool summed = false;  // one line for all (hosts of the endpoint, or more regions than colours)
};

std::vector<StationGroup> station_groups(const ReportCollector& collector) {
  const RunInfo& run = collector.run();
  StationGroup endpoint{"Token endpoints (IMDS, all hosts)",
                        "Requests in service at the endpoints of all hosts together; an endpoint has no queue (a "
                        "request beyond its limits gets 429), so none wait. Busy is the fraction of all hosts' "
                        "concurrency slots in use.",
                        {},
                        true};
  StationGroup mirp{"MIRP", "The Managed Identity Resource Provider's requests (certificates).", {}, false};
  StationGroup aad{"AAD regions",
                   "Token requests waiting for a server of each region's token service, and the fraction of its "
                   "servers busy.",
                   {},
                   false};
  StationGroup stages{
      "Plain stages", "Customers waiting at each stage, and the fraction of its servers busy.", {}, false};
  for (std::size_t s = 0; s < run.stations.size(); ++s) {
    bool sampled = false;
    for (const auto& b : collector.stations()[s].buckets) sampled = sampled || b.samples > 0;
    if (!sampled) continue;
    const std::string& role = run.stations[s].role;
    if (role == "endpoint") {
      endpoint.stations.push_back(s);
    } else if (role == "mirp") {
      mirp.stations.push_back(s);
    } else if (role == "aad") {
      aad.stations.push_back(s);
    } else {
      stages.stations.push_back(s);
    }
  }
  std::vector<StationGroup> groups;
  for (StationGroup* g : {&endpoint, &mirp, &aad, &stages}) {
    if (g->stations.empty()) continue;
    if (g->stations.size() > kLineColours.size()) g->summed = true;
    groups.push_back(std::move(*g));
  }
  return groups;
}

struct Line {
  std::string name;
  std::vector<double> waiting;
  std::vector<double> max_waiting;
  std::vector<double> busy_percent;
};

/// Per-bucket means over the samples of the group's stations (summed: waiting adds up, and busy
/// is weighted by each station's servers).
std::vector<Line> group_lines(const ReportCollector& collector, const StationGroup& g) {
  const std::size_t n = reached_buckets(collector);
  const RunInfo& run = collector.run();
  std::vector<Line> lines;
  const auto make = [&](const std::vector<std::size_t>& members, std::string name) {
    Line line{std::move(name), std::vector<double>(n, kNan), std::vector<double>(n, kNan),
              std::vector<double>(n, kNan)};
    for (std::size_t b = 0; b < n; ++b) {
      double waiting = 0, max_waiting = 0, busy = 0, servers = 0;
      bool any = false;
      for (std::size_t s : members) {
        const StationSeries::Bucket& k = collector.stations()[s].buckets[b];
        if (k.samples == 0) continue;
        any = true;
        const double weight = std::max(1, run.stations[s].servers);
        waiting += k.waiting / k.samples;
        max_waiting += k.max_waiting;
        busy += k.utilisation / k.samples * weight;
        servers += weight;
      }
      if (!any) continue;
      line.waiting[b] = waiting;
      line.max_waiting[b] = max_waiting;
      line.busy_percent[b] = servers > 0 ? 100 * busy / servers : 0;
    }
    lines.push_back(std::move(line));
  };
  if (g.summed) {
    make(g.stations,
         g.stations.size() == 1 ? run.stations[g.stations[0]].name : "all " + std::to_string(g.stations.size()));
  } else {
    for (std::size_t s : g.stations) make({s}, run.stations[s].name);
  }
  return lines;
}

void render_panel(std::string& out, const ReportCollector& collector, const std::vector<Line>& lines, bool waiting) {
  const TimeFrame frame = time_frame(collector, 615, 210);
  double max = 0;
  for (const Line& l : lines) {
    for (double v : waiting ? l.max_waiting : l.busy_percent) {
      if (!std::isnan(v)) max = std::max(max, v);
    }
  }
  // Busy runs to 100% unless it stays low, where the full scale would flatten it onto the axis.
  constexpr double kLowBusyPercent = 10;
  const double top = waiting || max < kLowBusyPercent ? max : 100;
  const ValueScale scale = ValueScale::linear(top, frame.plot_top(), frame.plot_bottom());
  open_chart(out, frame, waiting ? "requests waiting over time" : "servers busy over time");
  draw_warmup(out, frame, collector.run().warmup);
  draw_value_axis(out, frame, scale, waiting ? "waiting (requests)" : "servers busy (%)", !waiting);
  draw_time_axis(out, frame);
  draw_fault_windows(out, frame, collector);
  const std::size_t n = reached_buckets(collector);
  std::vector<std::string> tips(n);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    const std::string_view colour = kLineColours[i % kLineColours.size()];
    if (waiting && lines.size() == 1) {
      out += "<path class=\"line dotted\" stroke=\"";
      out += colour;
      out += "\" d=\"" + step_path(frame, scale, collector.bucket_width(), l.max_waiting) + "\"/>";
    }
    out += "<path class=\"line\" stroke=\"";
    out += colour;
    out += "\" d=\"" + step_path(frame, scale, collector.bucket_width(), waiting ? l.waiting : l.busy_percent) + "\"/>";
    for (std::size_t b = 0; b < n; ++b) {
      if (std::isnan(l.waiting[b])) continue;
      if (tips[b].empty()) tips[b] = bucket_range(collector, b) + ":";
      tips[b] += " " + l.name + " " +
                 (waiting ? format_number(l.waiting[b]) + " waiting (max " + format_number(l.max_waiting[b]) + ")"
                          : format_number(l.busy_percent[b]) + "% busy");
    }
  }
  draw_markers(out, frame, collector);
  draw_bucket_tips(out, frame, collector.bucket_width(), tips);
  close_chart(out);
}

bool idle(const ReportCollector& collector, const StationGroup& g) {
  for (std::size_t s : g.stations) {
    for (const StationSeries::Bucket& b : collector.stations()[s].buckets) {
      if (b.waiting > 0 || b.busy > 0 || b.utilisation > 0) return false;
    }
  }
  return true;
}

std::string totals_text(const ReportCollector& collector, const StationGroup& g) {
  std::string text;
  for (std::size_t s : g.stations) {
    const StationSeries& st = collector.stations()[s];
    if (!st.has_totals) continue;
    text += (text.empty() ? "Totals after warm-up: " : "; ") + collector.run().stations[s].name + " " +
            format_count(st.arrivals) + " arrivals, " + format_count(st.completed) + " completed, " +
            format_count(st.rejected) + " rejected, " + format_number(100 * st.utilisation) + "% busy";
  }
  return text.empty() ? text : text + ".";
}

}  // namespace

void render_queue_section(std::string& out, const ReportCollector& collector) {
  out += "<section id=\"queues\"><h2>Queues and utilisation</h2>\n";
  const std::vector<StationGroup> groups = station_groups(collector);
  if (groups.empty()) {
    out +=
        "<p class=\"empty\">No station samples were recorded (the model samples its stations every "
        "sample interval at trace level all).</p>\n";
  } else {
    out += "<p class=\"what\">Means of the samples taken every " + format_duration(collector.run().sample_interval) +
           " in each bucket; the dotted line is the longest queue a sample saw.</p>\n";
  }
  for (const StationGroup& g : groups) {
    if (idle(collector, g)) {
      out += "<div class=\"chart-block\"><h3>" + escape(g.title) +
             "</h3><p class=\"what\">Idle all run: no request waited or was in service at any sample. " +
             escape(totals_text(collector, g)) + "</p></div>\n";
      continue;
    }
    const std::vector<Line> lines = group_lines(collector, g);
    out += "<div class=\"chart-block\"><h3>" + escape(g.title) + "</h3><p class=\"what\">" + escape(g.what) + " " +
           escape(totals_text(collector, g)) + "</p>\n<div class=\"pair\">";
    render_panel(out, collector, lines, true);
    render_panel(out, collector, lines, false);
    out += "</div>\n";
    std::vector<LegendEntry> legend;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      legend.push_back({kLineColours[i % kLineColours.size()], lines[i].name, true});
    }
    draw_legend(out, legend);
    out += "</div>\n";
  }
  out += "</section>\n";
}

}  // namespace misim::report
