// report.html, "Latency over time": p50, p90 and p99 per time bucket for each stage a token
// request passes (the client's whole acquisition, the token endpoint, AAD) and each plain stage.
#include <array>
#include <cmath>
#include <limits>

#include "report_sections.hpp"

namespace misim::report {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// AAD regions up to this many get a chart each; more are merged into one.
constexpr std::size_t kAadRegionsApart = 3;
// A range of p50..p99 wider than this ratio is drawn on a logarithmic axis.
constexpr double kLogScaleRatio = 20.0;

struct StageChart {
  std::string title;
  std::string what;  // how to read it
  std::string noun;  // what one observation is
  std::vector<Histogram> buckets;
};

std::string description_of(const std::string& role) {
  if (role == "acquisition") {
    return "From the client SDK's first request for a token to the token (or giving up), retries and "
           "their back-off included. Calls served from the SDK's cache are not acquisitions.";
  }
  if (role == "endpoint") {
    return "Each attempt at the host's token endpoint (IMDS), from request to answer: cache hits answer "
           "in microseconds, misses wait for AAD, throttled requests (429) answer at once.";
  }
  if (role == "aad") return "Time in Entra ID's token service: waiting for a server plus issuing the token.";
  return "Time at the stage: waiting for a server plus service.";
}

std::vector<StageChart> stage_charts(const ReportCollector& collector) {
  std::vector<StageChart> charts;
  std::vector<const LatencySeries*> aad;
  for (const LatencySeries& s : collector.latency()) {
    if (s.role == "aad") aad.push_back(&s);
  }
  for (const LatencySeries& s : collector.latency()) {
    const bool merge_aad = s.role == "aad" && aad.size() > kAadRegionsApart;
    if (merge_aad && &s != aad.front()) continue;
    StageChart c;
    c.what = description_of(s.role);
    if (s.role == "acquisition") {
      c.title = "Token acquisition (client)";
      c.noun = "acquisitions";
    } else if (s.role == "endpoint") {
      c.title = "Token endpoint: " + s.name;
      c.noun = "attempts";
    } else if (s.role == "aad") {
      c.title = merge_aad ? "AAD, all " + std::to_string(aad.size()) + " regions" : "AAD: " + s.name;
      c.noun = "token requests";
    } else {
      c.title = "Stage: " + s.name;
      c.noun = "visits";
    }
    c.buckets = s.buckets;
    if (merge_aad) {
      for (std::size_t r = 1; r < aad.size(); ++r) {
        for (std::size_t b = 0; b < c.buckets.size(); ++b) c.buckets[b].merge(aad[r]->buckets[b]);
      }
    }
    std::uint64_t count = 0;
    for (const Histogram& h : c.buckets) count += h.count();
    if (count > 0) charts.push_back(std::move(c));
  }
  return charts;
}

void render_stage(std::string& out, const ReportCollector& collector, const StageChart& c) {
  const std::size_t n = reached_buckets(collector);
  constexpr std::array<double, 3> kQuantiles = {0.50, 0.90, 0.99};
  constexpr std::array<std::string_view, 3> kColours = {kSky, kBlue, kVermillion};
  constexpr std::array<std::string_view, 3> kNames = {"p50", "p90", "p99"};
  std::array<std::vector<double>, 3> lines;
  for (auto& l : lines) l.assign(n, kNan);
  Histogram all;
  double low = std::numeric_limits<double>::infinity(), high = 0;
  std::vector<std::string> tips(n);
  for (std::size_t b = 0; b < n; ++b) {
    const Histogram& h = c.buckets[b];
    if (h.count() == 0) continue;
    all.merge(h);
    for (std::size_t q = 0; q < kQuantiles.size(); ++q) lines[q][b] = h.percentile(kQuantiles[q]) / 1e6;
    if (lines[0][b] > 0) low = std::min(low, lines[0][b]);
    high = std::max(high, lines[2][b]);
    tips[b] = bucket_range(collector, b) + ": " + format_count(h.count()) + " " + c.noun + "; p50 " +
              format_latency_ms(lines[0][b]) + ", p90 " + format_latency_ms(lines[1][b]) + ", p99 " +
              format_latency_ms(lines[2][b]) + ", max " + format_latency_ms(h.max() / 1e6);
  }
  out += "<div class=\"chart-block\"><h3>" + escape(c.title) + "</h3><p class=\"what\">" + escape(c.what) +
         " Overall: " + format_count(all.count()) + " " + c.noun + ", p50 " +
         format_latency_ms(all.percentile(0.5) / 1e6) + ", p99 " + format_latency_ms(all.percentile(0.99) / 1e6) +
         ", max " + format_latency_ms(all.max() / 1e6) + ".</p>\n";
  const TimeFrame frame = time_frame(collector, 1240, 230);
  const bool log = high > 0 && low < std::numeric_limits<double>::infinity() && high / low > kLogScaleRatio;
  const ValueScale scale = log ? ValueScale::logarithmic(low, high, frame.plot_top(), frame.plot_bottom())
                               : ValueScale::linear(high, frame.plot_top(), frame.plot_bottom());
  open_chart(out, frame, c.title + ": latency percentiles over time");
  draw_warmup(out, frame, collector.run().warmup);
  draw_value_axis(out, frame, scale, log ? "latency (ms, log scale)" : "latency (ms)");
  draw_time_axis(out, frame);
  draw_fault_windows(out, frame, collector);
  for (std::size_t q = 0; q < lines.size(); ++q) {
    out += "<path class=\"line\" stroke=\"";
    out += kColours[q];
    out += "\" d=\"" + step_path(frame, scale, collector.bucket_width(), lines[q]) + "\"/>";
  }
  draw_markers(out, frame, collector);
  draw_bucket_tips(out, frame, collector.bucket_width(), tips);
  close_chart(out);
  draw_legend(out, {{kColours[0], std::string(kNames[0]), true},
                    {kColours[1], std::string(kNames[1]), true},
                    {kColours[2], std::string(kNames[2]), true}});
  out += "</div>\n";
}

}  // namespace

void render_latency_section(std::string& out, const ReportCollector& collector) {
  out += "<section id=\"latency\"><h2>Latency over time</h2>\n";
  out += "<p class=\"what\">Percentiles of each time bucket (" + format_duration(collector.bucket_width()) +
         " wide): half of the observations ended within p50, 99 in 100 within p99. Gaps are buckets with no "
         "observation. Numbered markers are the timeline's operations and faults (table below).</p>\n";
  const std::vector<StageChart> charts = stage_charts(collector);
  if (charts.empty()) out += "<p class=\"empty\">No token requests or stage visits were recorded.</p>\n";
  for (const StageChart& c : charts) render_stage(out, collector, c);
  out += "</section>\n";
}

}  // namespace misim::report
