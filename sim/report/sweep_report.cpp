// report.html of a sweep: for each metric, a chart of its mean against the first swept param with
// the 95% interval as a bar, one line per combination of the other swept params; then the table
// of points and the failed runs. One self-contained page: inline style and SVG, nothing fetched.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "misim/sweep.hpp"
#include "misim/version.hpp"
#include "report_svg.hpp"

namespace misim {

namespace {

using report::escape;
using report::format_number;
using report::px;

constexpr std::string_view kStyle = R"css(
:root{--ink:#222;--muted:#5a5a5a;--rule:#ddd;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:30px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--rule)}
h3{font-size:15px;margin:14px 0 2px;font-family:ui-monospace,Menlo,Consolas,monospace}
p{margin:4px 0 8px}
.what,.facts-line{color:var(--muted)}
.chart-block{background:#fff;border:1px solid var(--rule);border-radius:8px;padding:8px 12px 10px;margin:10px 0}
svg{display:block;width:100%;height:auto;font-family:inherit}
svg text{font-size:11px;fill:var(--ink)}
svg .tick{fill:#555}
svg .axis{font-size:12px;fill:#333}
svg .grid line{stroke:#e6e6e6;stroke-width:1}
svg .frame{stroke:#999;stroke-width:1}
svg .line{fill:none;stroke-width:2;stroke-linejoin:round}
svg .ci{stroke-width:1.5}
.legend{font-size:12px;color:#333;margin-top:4px}
.legend span{display:inline-block;margin-right:16px;white-space:nowrap}
.legend i{display:inline-block;vertical-align:middle;margin-right:5px;width:12px;height:12px;border-radius:2px}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--rule);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f1f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:var(--bad)}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;background:#eef0f3;padding:1px 4px;border-radius:3px}
)css";

constexpr std::array<std::string_view, 8> kColours = {report::kBlue,   report::kVermillion, report::kGreen,
                                                      report::kOrange, report::kPurple,     report::kSky,
                                                      report::kWine,   report::kGrey};

// The chart's canvas and plot rectangle, in SVG units.
constexpr double kWidth = 1000;
constexpr double kHeight = 340;
constexpr double kLeft = 84;
constexpr double kRight = 24;
constexpr double kTop = 16;
constexpr double kBottom = 54;

std::optional<double> as_number(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// A round step (1, 2 or 5 times a power of ten) near a fifth of `span`.
double nice_step(double span) {
  if (!(span > 0)) return 1;
  const double raw = span / 5;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * decade >= raw) return m * decade;
  }
  return 10 * decade;
}

/// The swept params that take more than one value: the first is the x axis, the others make the
/// series; a param with one value is a constant of the sweep, named in the page's header.
std::vector<std::size_t> varying_params(const SweepDefinition& sweep) {
  std::vector<std::size_t> varying;
  for (std::size_t i = 0; i < sweep.swept.size(); ++i) {
    for (const SweepPoint& p : sweep.points) {
      if (p[i].second != sweep.points.front()[i].second) {
        varying.push_back(i);
        break;
      }
    }
  }
  return varying;
}

/// Where the points sit along x: by value when every value of the param is a number, else evenly.
struct XAxis {
  std::optional<std::size_t> param;  // index into SweepDefinition::swept; none: one point
  std::string title;
  std::vector<std::string> labels;  // distinct values, in the order first met
  std::vector<double> positions;    // pixel column of each label

  [[nodiscard]] std::string label_of(const SweepPoint& p) const { return param ? p[*param].second : "all runs"; }
};

XAxis x_axis(const SweepDefinition& sweep, const std::vector<std::size_t>& varying) {
  XAxis axis;
  if (!varying.empty()) {
    axis.param = varying.front();
    axis.title = sweep.swept[varying.front()];
  }
  for (const SweepPoint& p : sweep.points) {
    const std::string label = axis.label_of(p);
    if (std::find(axis.labels.begin(), axis.labels.end(), label) == axis.labels.end()) axis.labels.push_back(label);
  }
  const double left = kLeft + 30;
  const double right = kWidth - kRight - 30;
  std::vector<double> values;
  for (const std::string& l : axis.labels) {
    if (auto v = as_number(l)) values.push_back(*v);
  }
  const bool numeric = values.size() == axis.labels.size() && values.size() >= 2;
  const double low = numeric ? *std::min_element(values.begin(), values.end()) : 0;
  const double high = numeric ? *std::max_element(values.begin(), values.end()) : 0;
  for (std::size_t i = 0; i < axis.labels.size(); ++i) {
    if (axis.labels.size() == 1) {
      axis.positions.push_back((left + right) / 2);
    } else if (numeric && high > low) {
      axis.positions.push_back(left + (values[i] - low) / (high - low) * (right - left));
    } else {
      axis.positions.push_back(left +
                               static_cast<double>(i) / static_cast<double>(axis.labels.size() - 1) * (right - left));
    }
  }
  return axis;
}

/// The other varying params' values of a point: its series (line) on every chart.
std::string series_of(const SweepPoint& p, const std::vector<std::size_t>& varying) {
  std::string s;
  for (std::size_t i = 1; i < varying.size(); ++i) {
    s += (s.empty() ? "" : ", ") + p[varying[i]].first + "=" + p[varying[i]].second;
  }
  return s;
}

std::string point_words(const SweepPoint& p) {
  std::string s;
  for (const auto& [name, value] : p) s += (s.empty() ? "" : ", ") + name + "=" + value;
  return s.empty() ? "the scenario as written" : s;
}

void draw_metric_chart(std::string& out, const SweepDefinition& sweep, const std::vector<PointSummary>& points,
                       std::size_t metric, const XAxis& axis, const std::vector<std::size_t>& varying,
                       const std::vector<std::string>& series) {
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const PointSummary& p : points) {
    const MetricStatistics& s = p.metrics[metric];
    for (const double v : {s.mean, s.ci_low, s.ci_high}) {
      if (std::isfinite(v)) {
        low = std::min(low, v);
        high = std::max(high, v);
      }
    }
  }
  if (!std::isfinite(low)) {
    out += "<p class=\"what\">No run gave a value for this metric.</p>\n";
    return;
  }
  low = std::min(low, 0.0);  // from zero, so bars compare by length; below it only when needed
  const double step = nice_step(high - low > 0 ? high - low : std::fabs(high) + 1);
  const double y_low = std::floor(low / step) * step;
  const double y_high = std::max(std::ceil(high / step) * step, y_low + step);
  const double plot_top = kTop;
  const double plot_bottom = kHeight - kBottom;
  const auto y = [&](double v) { return plot_bottom - (v - y_low) / (y_high - y_low) * (plot_bottom - plot_top); };

  const std::string label = sweep.metrics[metric] + " against " + (axis.title.empty() ? "the run" : axis.title);
  out += "<svg viewBox=\"0 0 " + px(kWidth) + " " + px(kHeight) + "\" role=\"img\" aria-label=\"" + escape(label) +
         "\"><title>" + escape(label) + "</title>";
  out += "<g class=\"grid\">";
  std::string tick_labels;
  for (double v = y_low; v <= y_high + step * 1e-6; v += step) {
    out += "<line x1=\"" + px(kLeft) + "\" x2=\"" + px(kWidth - kRight) + "\" y1=\"" + px(y(v)) + "\" y2=\"" +
           px(y(v)) + "\"/>";
    tick_labels += "<text class=\"tick\" x=\"" + px(kLeft - 6) + "\" y=\"" + px(y(v) + 4) + "\" text-anchor=\"end\">" +
                   escape(format_number(std::fabs(v) < step * 1e-9 ? 0 : v)) + "</text>";
  }
  out += "</g>" + tick_labels;
  out += "<line class=\"frame\" x1=\"" + px(kLeft) + "\" x2=\"" + px(kLeft) + "\" y1=\"" + px(plot_top) + "\" y2=\"" +
         px(plot_bottom) + "\"/><line class=\"frame\" x1=\"" + px(kLeft) + "\" x2=\"" + px(kWidth - kRight) +
         "\" y1=\"" + px(plot_bottom) + "\" y2=\"" + px(plot_bottom) + "\"/>";
  for (std::size_t i = 0; i < axis.labels.size(); ++i) {
    out += "<text class=\"tick\" x=\"" + px(axis.positions[i]) + "\" y=\"" + px(plot_bottom + 16) +
           "\" text-anchor=\"middle\">" + escape(axis.labels[i]) + "</text>";
  }
  out += "<text class=\"axis\" x=\"" + px((kLeft + kWidth - kRight) / 2) + "\" y=\"" + px(kHeight - 10) +
         "\" text-anchor=\"middle\">" + escape(axis.title.empty() ? "" : axis.title) + "</text>";
  out += "<text class=\"axis\" transform=\"translate(16," + px((plot_top + plot_bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(sweep.metrics[metric]) + "</text>";

  // Series side by side around each x position, so their intervals do not hide each other.
  const double dodge = series.size() > 1 ? std::min(8.0, 60.0 / static_cast<double>(series.size())) : 0;
  for (std::size_t s = 0; s < series.size(); ++s) {
    const std::string_view colour = kColours[s % kColours.size()];
    const double shift = (static_cast<double>(s) - static_cast<double>(series.size() - 1) / 2) * dodge;
    std::string line;
    std::string marks;
    for (const PointSummary& p : points) {
      const SweepPoint& point = sweep.points[p.point];
      if (series_of(point, varying) != series[s]) continue;
      const MetricStatistics& st = p.metrics[metric];
      if (!std::isfinite(st.mean)) continue;
      const auto at = std::find(axis.labels.begin(), axis.labels.end(), axis.label_of(point)) - axis.labels.begin();
      const double x = axis.positions[static_cast<std::size_t>(at)] + shift;
      line += (line.empty() ? "M" : " L") + px(x) + " " + px(y(st.mean));
      std::string tip = point_words(point) + ": mean " + format_number(st.mean);
      if (std::isfinite(st.ci_low)) {
        tip += ", 95% CI " + format_number(st.ci_low) + " to " + format_number(st.ci_high);
        marks += "<line class=\"ci\" stroke=\"" + std::string(colour) + "\" x1=\"" + px(x) + "\" x2=\"" + px(x) +
                 "\" y1=\"" + px(y(st.ci_low)) + "\" y2=\"" + px(y(st.ci_high)) + "\"/>";
        for (const double end : {st.ci_low, st.ci_high}) {
          marks += "<line class=\"ci\" stroke=\"" + std::string(colour) + "\" x1=\"" + px(x - 4) + "\" x2=\"" +
                   px(x + 4) + "\" y1=\"" + px(y(end)) + "\" y2=\"" + px(y(end)) + "\"/>";
        }
      }
      tip += " (n=" + std::to_string(st.n) + ")";
      marks += "<circle cx=\"" + px(x) + "\" cy=\"" + px(y(st.mean)) + "\" r=\"4\" fill=\"" + std::string(colour) +
               "\"><title>" + escape(tip) + "</title></circle>";
    }
    if (axis.labels.size() > 1 && !line.empty()) {
      out += "<path class=\"line\" stroke=\"" + std::string(colour) + "\" d=\"" + line + "\"/>";
    }
    out += marks;
  }
  out += "</svg>\n";
  if (series.size() > 1 || !series.front().empty()) {
    out += "<div class=\"legend\">";
    for (std::size_t s = 0; s < series.size(); ++s) {
      out += "<span><i style=\"background:" + std::string(kColours[s % kColours.size()]) + "\"></i>" +
             escape(series[s].empty() ? "all" : series[s]) + "</span>";
    }
    out += "</div>\n";
  }
}

void write_points_table(std::string& out, const SweepDefinition& sweep, const std::vector<PointSummary>& points) {
  out += "<table><tr><th>point</th>";
  for (const std::string& name : sweep.swept) out += "<th>" + escape(name) + "</th>";
  out += "<th>runs</th>";
  for (const std::string& m : sweep.metrics) out += "<th>" + escape(m) + "<br>mean ± 95% half-width (n)</th>";
  out += "</tr>\n";
  for (const PointSummary& p : points) {
    out += "<tr><td class=\"num\">" + std::to_string(p.point) + "</td>";
    for (const auto& [name, value] : sweep.points[p.point]) out += "<td>" + escape(value) + "</td>";
    out += "<td class=\"num\">" + std::to_string(p.runs);
    if (p.failed > 0) out += " <span class=\"bad\">(" + std::to_string(p.failed) + " failed)</span>";
    out += "</td>";
    for (const MetricStatistics& s : p.metrics) {
      out += "<td class=\"num\">" + (std::isfinite(s.mean) ? escape(format_number(s.mean)) : "-");
      if (std::isfinite(s.ci_low)) out += " ± " + escape(format_number(s.half_width()));
      out += " (" + std::to_string(s.n) + ")</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
}

void write_failures(std::string& out, const SweepDefinition& sweep, const std::vector<RunRecord>& records) {
  std::string rows;
  for (const RunRecord& r : records) {
    if (r.ok) continue;
    rows += "<tr><td class=\"num\">" + std::to_string(r.run.point) + "</td><td class=\"num\">" +
            std::to_string(r.run.replication) + "</td><td class=\"num\">" + std::to_string(r.run.seed) + "</td><td>" +
            escape(point_words(sweep.points[r.run.point])) + "</td><td>" + escape(r.error) + "</td></tr>\n";
  }
  if (rows.empty()) return;
  out +=
      "<h2 id=\"failed\">Failed runs</h2>\n<p class=\"what\">Recorded with their errors; the sweep went on "
      "without them, and they are left out of the statistics.</p>\n";
  out += "<table><tr><th>point</th><th>replication</th><th>seed</th><th>params</th><th>error</th></tr>\n" + rows +
         "</table>\n";
}

}  // namespace

std::string sweep_report_html(const SweepDefinition& sweep, const std::vector<PointSummary>& points,
                              const std::vector<RunRecord>& records) {
  std::string out;
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>misim sweep: " +
      escape(sweep.name) + "</title><style>" + std::string(kStyle) + "</style></head><body><main>\n";
  out += "<h1>Sweep: " + escape(sweep.name) + "</h1>\n";
  if (!sweep.description.empty()) out += "<p class=\"what\">" + escape(sweep.description) + "</p>\n";
  std::size_t failed = 0;
  for (const RunRecord& r : records) failed += r.ok ? 0 : 1;
  out += "<p class=\"facts-line\">scenario <code>" + escape(sweep.scenario_file) + "</code> · " +
         std::to_string(sweep.points.size()) + " points × " +
         (sweep.precision ? std::to_string(sweep.replications) + "+ replications (precision target)"
                          : std::to_string(sweep.replications) + " replications") +
         " · " + std::to_string(records.size()) + " runs" +
         (failed > 0 ? ", <span class=\"bad\">" + std::to_string(failed) + " failed</span>" : std::string()) +
         " · seed " + std::to_string(sweep.seed) + (sweep.common_random_numbers ? " · common random numbers" : "") +
         (sweep.duration ? " · duration " + escape(format_duration(*sweep.duration)) : "") + " · misim " +
         std::string(kVersion) + "</p>\n";
  out +=
      "<p class=\"what\">Each dot is the mean over a point's replications, the bar its 95% confidence interval "
      "(Student t, n-1 degrees of freedom). Hover a dot for its numbers.";
  if (sweep.precision) {
    out += " Replications went on until the interval of <code>" + escape(sweep.metrics[sweep.precision->metric]) +
           "</code> was within ±" + format_number(100 * sweep.precision->relative_half_width) +
           "% of its mean, at most " + std::to_string(sweep.precision->max_replications) + " per point.";
  }
  out += "</p>\n";

  const std::vector<std::size_t> varying = varying_params(sweep);
  std::string constants;
  for (std::size_t i = 0; i < sweep.swept.size(); ++i) {
    if (std::find(varying.begin(), varying.end(), i) == varying.end()) {
      constants += (constants.empty() ? "" : ", ") + sweep.swept[i] + "=" + sweep.points.front()[i].second;
    }
  }
  if (!constants.empty()) out += "<p class=\"facts-line\">the same at every point: " + escape(constants) + "</p>\n";
  const XAxis axis = x_axis(sweep, varying);
  std::vector<std::string> series;
  for (const SweepPoint& p : sweep.points) {
    const std::string s = series_of(p, varying);
    if (std::find(series.begin(), series.end(), s) == series.end()) series.push_back(s);
  }
  out += "<h2 id=\"metrics\">Metrics</h2>\n";
  for (std::size_t m = 0; m < sweep.metrics.size(); ++m) {
    out += "<div class=\"chart-block\"><h3>" + escape(sweep.metrics[m]) + "</h3>\n";
    draw_metric_chart(out, sweep, points, m, axis, varying, series);
    out += "</div>\n";
  }
  out += "<h2 id=\"points\">Points</h2>\n";
  write_points_table(out, sweep, points);
  write_failures(out, sweep, records);
  if (!records.empty()) {
    const RunRecord& first = records.front();
    std::string command = "misim run " + sweep.scenario_file + " --seed " + std::to_string(first.run.seed);
    for (const auto& [name, value] : sweep.points[first.run.point]) command += " --set " + name + "=" + value;
    if (sweep.duration) command += " --duration " + format_duration(*sweep.duration);
    out +=
        "<h2 id=\"repeat\">Repeating a run</h2>\n<p class=\"what\">runs.csv lists every run with its seed; "
        "one run alone, e.g. point " +
        std::to_string(first.run.point) + " replication " + std::to_string(first.run.replication) + ":</p>\n<p><code>" +
        escape(command) + "</code></p>\n";
  }
  out += "</main></body></html>\n";
  return out;
}

}  // namespace misim
