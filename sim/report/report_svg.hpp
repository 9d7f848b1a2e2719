// The drawing vocabulary of report.html (private to sim/report): escaping, numbers and clock
// times in words, and a time chart's frame: scales, axes, grid, and the lifecycle markers every
// time chart carries. Charts are SVG text appended to a std::string; nothing here knows the model.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "misim/report.hpp"
#include "misim/time.hpp"

namespace misim::report {

// Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies
// (https://jfly.uni-koeln.de/color/), plus a wine and greys for more categories.
inline constexpr std::string_view kBlue = "#0072B2";
inline constexpr std::string_view kSky = "#56B4E9";
inline constexpr std::string_view kGreen = "#009E73";
inline constexpr std::string_view kOrange = "#E69F00";
inline constexpr std::string_view kVermillion = "#D55E00";
inline constexpr std::string_view kPurple = "#CC79A7";
inline constexpr std::string_view kYellow = "#F0E442";
inline constexpr std::string_view kWine = "#882255";
inline constexpr std::string_view kGrey = "#888888";
inline constexpr std::string_view kInk = "#222222";

/// Text safe inside HTML and SVG elements and attribute values.
[[nodiscard]] std::string escape(std::string_view text);
/// `12,345`.
[[nodiscard]] std::string format_count(std::uint64_t n);
/// Three significant digits without exponent for everyday magnitudes: `0.123`, `12.3`, `1,234`.
[[nodiscard]] std::string format_number(double v);
/// A latency in milliseconds in the unit that reads best: `850 us`, `12.3 ms`, `4.2 s`.
[[nodiscard]] std::string format_latency_ms(double ms);
/// Simulated time as a clock reading: `02:00`, `d1 14:30`, `00:00:15` when seconds matter.
[[nodiscard]] std::string format_sim_clock(SimTime t, SimTime resolution);
/// A coordinate with one decimal: `123.4`.
[[nodiscard]] std::string px(double v);

/// A time chart's geometry: the SVG canvas, the plot rectangle inside it and the time span.
struct TimeFrame {
  double width = 1240;
  double height = 220;
  double left = 70;  // room for the y axis' labels
  double right = 16;
  double top = 26;       // room for marker badges
  double bottom = 40;    // time labels and the axis title
  SimTime span = kHour;  // the x axis runs from 0 to span

  [[nodiscard]] double plot_left() const { return left; }
  [[nodiscard]] double plot_right() const { return width - right; }
  [[nodiscard]] double plot_top() const { return top; }
  [[nodiscard]] double plot_bottom() const { return height - bottom; }
  [[nodiscard]] double x(SimTime t) const;
};

/// A value axis: linear from 0, or logarithmic over whole decades.
struct ValueScale {
  bool log = false;
  double low = 0;
  double high = 1;
  double top = 0;  // pixel rows of high and low
  double bottom = 1;

  [[nodiscard]] double y(double v) const;
  /// Linear from 0 to a round number at or above `max`.
  static ValueScale linear(double max, double top, double bottom);
  /// Logarithmic across whole decades around [min, max] (min > 0).
  static ValueScale logarithmic(double min, double max, double top, double bottom);
};

/// Opens the <svg> of a chart (scaled to its container's width) with an accessible name.
void open_chart(std::string& out, const TimeFrame& frame, std::string_view label);
void close_chart(std::string& out);
/// Horizontal grid and labels of the value axis, with its title (unit included) turned upright.
void draw_value_axis(std::string& out, const TimeFrame& frame, const ValueScale& scale, std::string_view title,
                     bool percent = false);
/// Time ticks, grid and the axis title ("simulated time, HH:MM").
void draw_time_axis(std::string& out, const TimeFrame& frame);
/// The warm-up (excluded from statistics) greyed at the left of the plot.
void draw_warmup(std::string& out, const TimeFrame& frame, SimTime warmup);
/// Fault windows as shaded bands, drawn first so the data stays on top of them.
void draw_fault_windows(std::string& out, const TimeFrame& frame, const ReportCollector& collector);
/// Operations as dashed lines, and every marker's number (its row in the lifecycle table) with its
/// words where there is room; hovering shows the full text. Drawn over the data.
void draw_markers(std::string& out, const TimeFrame& frame, const ReportCollector& collector);

/// A step line through per-bucket values (NaN: no value, the line breaks).
[[nodiscard]] std::string step_path(const TimeFrame& frame, const ValueScale& scale, SimTime bucket_width,
                                    const std::vector<double>& values);
/// A filled band between per-bucket lower and upper values (stacked areas).
[[nodiscard]] std::string band_path(const TimeFrame& frame, const ValueScale& scale, SimTime bucket_width,
                                    const std::vector<double>& lower, const std::vector<double>& upper);
/// Invisible columns, one per bucket with a tip, that show the tip when hovered.
void draw_bucket_tips(std::string& out, const TimeFrame& frame, SimTime bucket_width,
                      const std::vector<std::string>& tips);

/// The text of lifecycle marker `m` ("delete web-id", "aad outage"), from the run's tables.
[[nodiscard]] std::string marker_text(const ReportCollector& collector, const LifecycleMarker& m);
/// A bucket's time range as text: `12:00-12:03`.
[[nodiscard]] std::string bucket_range(const ReportCollector& collector, std::size_t bucket);

/// An HTML legend: a swatch and a name per entry.
struct LegendEntry {
  std::string_view colour;
  std::string name;
  bool line = false;  // a line (percentile) rather than an area
};
void draw_legend(std::string& out, const std::vector<LegendEntry>& entries);

}  // namespace misim::report
