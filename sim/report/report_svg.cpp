// The drawing vocabulary of report.html: see report_svg.hpp.
#include "report_svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace misim::report {

namespace {

// Steps between time ticks, each a round reading of a clock.
constexpr std::array<SimTime, 33> kTimeSteps = {kMillisecond,
                                                2 * kMillisecond,
                                                5 * kMillisecond,
                                                10 * kMillisecond,
                                                20 * kMillisecond,
                                                50 * kMillisecond,
                                                100 * kMillisecond,
                                                200 * kMillisecond,
                                                500 * kMillisecond,
                                                kSecond,
                                                2 * kSecond,
                                                5 * kSecond,
                                                10 * kSecond,
                                                15 * kSecond,
                                                30 * kSecond,
                                                kMinute,
                                                2 * kMinute,
                                                5 * kMinute,
                                                10 * kMinute,
                                                15 * kMinute,
                                                30 * kMinute,
                                                kHour,
                                                2 * kHour,
                                                3 * kHour,
                                                6 * kHour,
                                                12 * kHour,
                                                kDay,
                                                2 * kDay,
                                                5 * kDay,
                                                7 * kDay,
                                                14 * kDay,
                                                30 * kDay,
                                                90 * kDay};

// A label every ~110 pixels reads without crowding.
constexpr double kPixelsPerTimeTick = 110.0;

SimTime time_step(SimTime span, double plot_width) {
  const double max_ticks = std::max(2.0, plot_width / kPixelsPerTimeTick);
  for (SimTime step : kTimeSteps) {
    if (static_cast<double>(span) / static_cast<double>(step) <= max_ticks) return step;
  }
  return kTimeSteps.back();
}

std::string_view time_axis_title(SimTime step) {
  if (step < kSecond) return "simulated time (s)";
  if (step < kMinute) return "simulated time (HH:MM:SS)";
  if (step < kDay) return "simulated time (HH:MM)";
  return "simulated time (days)";
}

/// The smallest of 1, 2, 5 times a power of ten at or above v (v > 0).
double nice_up(double v) {
  const double decade = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * decade >= v * (1 - 1e-9)) return m * decade;
  }
  return 10 * decade;
}

void append_text(std::string& out, double x, double y, std::string_view anchor, std::string_view cls,
                 std::string_view text) {
  out += "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"";
  out += anchor;
  out += "\" class=\"";
  out += cls;
  out += "\">" + escape(text) + "</text>";
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_number(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  if (a >= 1000 || (a == std::floor(a) && a < 1e15)) {
    const std::string s = format_count(static_cast<std::uint64_t>(std::llround(a)));
    return v < 0 ? "-" + s : s;
  }
  char buf[32];
  const int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  std::snprintf(buf, sizeof buf, "%.*f", a > 0 && a < 0.001 ? 6 : decimals, v);
  std::string s = buf;
  // Trailing zeros say nothing: 0.500 -> 0.5, 2.00 -> 2.
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string format_latency_ms(double ms) {
  if (ms <= 0) return "0 ms";
  if (ms < 1) return format_number(ms * 1000) + " us";
  if (ms < 1000) return format_number(ms) + " ms";
  if (ms < 120'000) return format_number(ms / 1000) + " s";
  return format_number(ms / 60'000) + " min";
}

std::string format_sim_clock(SimTime t, SimTime resolution) {
  char buf[48];
  if (resolution < kSecond) {
    return format_number(to_seconds(t)) + " s";
  }
  const long long days = t / kDay;
  if (resolution >= kDay) {
    std::snprintf(buf, sizeof buf, "day %lld", days);
    return buf;
  }
  const SimTime in_day = t % kDay;
  const auto hh = static_cast<int>(in_day / kHour);
  const auto mm = static_cast<int>(in_day % kHour / kMinute);
  const auto ss = static_cast<int>(in_day % kMinute / kSecond);
  std::string prefix = days > 0 ? "d" + std::to_string(days) + " " : "";
  if (resolution < kMinute) {
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", hh, mm, ss);
  } else {
    std::snprintf(buf, sizeof buf, "%02d:%02d", hh, mm);
  }
  return prefix + buf;
}

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

double TimeFrame::x(SimTime t) const {
  const double f = span > 0 ? static_cast<double>(std::clamp<SimTime>(t, 0, span)) / static_cast<double>(span) : 0.0;
  return plot_left() + f * (plot_right() - plot_left());
}

double ValueScale::y(double v) const {
  double f = 0;
  if (log) {
    const double clamped = std::clamp(v, low, high);
    f = (std::log10(clamped) - std::log10(low)) / (std::log10(high) - std::log10(low));
  } else {
    f = high > low ? (std::clamp(v, low, high) - low) / (high - low) : 0.0;
  }
  return bottom - f * (bottom - top);
}

ValueScale ValueScale::linear(double max, double top, double bottom) {
  ValueScale s;
  s.top = top;
  s.bottom = bottom;
  if (!(max > 0)) max = 1;
  const double step = nice_up(max / 5);
  s.high = step * std::ceil(max / step - 1e-9);
  if (s.high <= 0) s.high = step;
  return s;
}

ValueScale ValueScale::logarithmic(double min, double max, double top, double bottom) {
  ValueScale s;
  s.log = true;
  s.top = top;
  s.bottom = bottom;
  if (!(min > 0)) min = max > 0 ? max / 10 : 1;
  if (!(max > min)) max = min * 10;
  s.low = std::pow(10.0, std::floor(std::log10(min)));
  s.high = std::pow(10.0, std::ceil(std::log10(max)));
  if (s.high <= s.low) s.high = s.low * 10;
  return s;
}

void open_chart(std::string& out, const TimeFrame& frame, std::string_view label) {
  out += "<svg class=\"chart\" viewBox=\"0 0 " + px(frame.width) + " " + px(frame.height) +
         "\" role=\"img\" aria-label=\"" + escape(label) + "\">";
  out += "<title>" + escape(label) + "</title>";
}

void close_chart(std::string& out) { out += "</svg>\n"; }

void draw_value_axis(std::string& out, const TimeFrame& frame, const ValueScale& scale, std::string_view title,
                     bool percent) {
  std::vector<double> ticks;
  if (scale.log) {
    const int decades = static_cast<int>(std::lround(std::log10(scale.high / scale.low)));
    for (double d = scale.low; d <= scale.high * 1.0001; d *= 10) {
      ticks.push_back(d);
      if (decades <= 2 && d * 2 < scale.high) {
        ticks.push_back(d * 2);
        ticks.push_back(d * 5);
      }
    }
  } else {
    const double step = nice_up(scale.high / 5);
    for (double v = 0; v <= scale.high * 1.0001; v += step) ticks.push_back(v);
  }
  out += "<g class=\"grid\">";
  for (double v : ticks) {
    const double y = scale.y(v);
    out += "<line x1=\"" + px(frame.plot_left()) + "\" x2=\"" + px(frame.plot_right()) + "\" y1=\"" + px(y) +
           "\" y2=\"" + px(y) + "\"/>";
  }
  out += "</g>";
  for (double v : ticks) {
    append_text(out, frame.plot_left() - 6, scale.y(v) + 4, "end", "tick", format_number(v) + (percent ? "%" : ""));
  }
  const double mid = (frame.plot_top() + frame.plot_bottom()) / 2;
  out += "<text transform=\"translate(14 " + px(mid) + ") rotate(-90)\" text-anchor=\"middle\" class=\"axis\">" +
         escape(title) + "</text>";
  out += "<line class=\"frame\" x1=\"" + px(frame.plot_left()) + "\" x2=\"" + px(frame.plot_left()) + "\" y1=\"" +
         px(frame.plot_top()) + "\" y2=\"" + px(frame.plot_bottom()) + "\"/>";
}

void draw_time_axis(std::string& out, const TimeFrame& frame) {
  const SimTime step = time_step(frame.span, frame.plot_right() - frame.plot_left());
  const double bottom = frame.plot_bottom();
  out += "<g class=\"grid\">";
  for (SimTime t = step; t < frame.span; t += step) {
    const double x = frame.x(t);
    out += "<line x1=\"" + px(x) + "\" x2=\"" + px(x) + "\" y1=\"" + px(frame.plot_top()) + "\" y2=\"" + px(bottom) +
           "\"/>";
  }
  out += "</g>";
  for (SimTime t = 0; t <= frame.span; t += step) {
    append_text(out, frame.x(t), bottom + 15, t == 0 ? "start" : "middle", "tick", format_sim_clock(t, step));
  }
  out += "<line class=\"frame\" x1=\"" + px(frame.plot_left()) + "\" x2=\"" + px(frame.plot_right()) + "\" y1=\"" +
         px(bottom) + "\" y2=\"" + px(bottom) + "\"/>";
  append_text(out, (frame.plot_left() + frame.plot_right()) / 2, frame.height - 6, "middle", "axis",
              time_axis_title(step));
}

void draw_warmup(std::string& out, const TimeFrame& frame, SimTime warmup) {
  if (warmup <= 0) return;
  const double x0 = frame.plot_left();
  const double x1 = frame.x(warmup);
  out += "<rect class=\"warmup\" x=\"" + px(x0) + "\" y=\"" + px(frame.plot_top()) + "\" width=\"" + px(x1 - x0) +
         "\" height=\"" + px(frame.plot_bottom() - frame.plot_top()) +
         "\"><title>warm-up: excluded from the summary's statistics</title></rect>";
}

std::string marker_text(const ReportCollector& collector, const LifecycleMarker& m) {
  const RunInfo& run = collector.run();
  if (m.kind == LifecycleMarker::Kind::kFault) {
    std::string text = m.index < run.faults.size() ? run.faults[m.index] : "fault " + std::to_string(m.index);
    return text;
  }
  std::string text = m.index < run.operations.size() ? run.operations[m.index] : "operation " + std::to_string(m.index);
  if (!m.applied) text += " (refused)";
  return text;
}

void draw_fault_windows(std::string& out, const TimeFrame& frame, const ReportCollector& collector) {
  const std::vector<LifecycleMarker>& markers = collector.markers();
  const double top = frame.plot_top();
  const double bottom = frame.plot_bottom();
  for (std::size_t i = 0; i < markers.size(); ++i) {
    const LifecycleMarker& m = markers[i];
    if (m.kind != LifecycleMarker::Kind::kFault) continue;
    const double x0 = frame.x(m.begin);
    const double x1 = std::max(frame.x(m.end), x0 + 1.5);
    out += "<rect class=\"fault\" x=\"" + px(x0) + "\" y=\"" + px(top) + "\" width=\"" + px(x1 - x0) + "\" height=\"" +
           px(bottom - top) + "\"><title>" + std::to_string(i + 1) + ". " + escape(marker_text(collector, m)) + " (" +
           format_sim_clock(m.begin, kSecond) + " to " + format_sim_clock(m.end, kSecond) + ")</title></rect>";
  }
}

void draw_markers(std::string& out, const TimeFrame& frame, const ReportCollector& collector) {
  const std::vector<LifecycleMarker>& markers = collector.markers();
  if (markers.empty()) return;
  constexpr double kBadgeWidth = 16;
  constexpr double kCharWidth = 6.2;  // of the 11px label font
  constexpr double kMinGap = 3;       // lines closer than this merge into the one before
  const double top = frame.plot_top();
  const double bottom = frame.plot_bottom();
  double last_line = -1e9;
  double label_free = frame.plot_left();  // the badge row is free from here rightwards
  for (std::size_t i = 0; i < markers.size(); ++i) {
    const LifecycleMarker& m = markers[i];
    const double x = frame.x(m.begin);
    const bool fault = m.kind == LifecycleMarker::Kind::kFault;
    const std::string number = std::to_string(i + 1);
    const std::string text = marker_text(collector, m);
    if (!fault && x - last_line >= kMinGap) {
      out += "<line class=\"op" + std::string(m.applied ? "" : " refused") + "\" x1=\"" + px(x) + "\" x2=\"" + px(x) +
             "\" y1=\"" + px(top - 4) + "\" y2=\"" + px(bottom) + "\"><title>" + number + ". " +
             format_sim_clock(m.begin, kSecond) + " " + escape(text) + "</title></line>";
      last_line = x;
    }
    // A badge where the row has room; its words too when they fit before the next marker.
    if (x - kBadgeWidth / 2 < label_free) continue;
    const double next = i + 1 < markers.size() ? frame.x(markers[i + 1].begin) : frame.plot_right();
    out += "<g class=\"badge" + std::string(fault ? " badge-fault" : "") + "\"><rect x=\"" + px(x - kBadgeWidth / 2) +
           "\" y=\"" + px(top - 20) + "\" width=\"" + px(kBadgeWidth) + "\" height=\"14\" rx=\"3\"/><text x=\"" +
           px(x) + "\" y=\"" + px(top - 9) + "\" text-anchor=\"middle\">" + number + "</text><title>" + number + ". " +
           escape(text) + "</title></g>";
    // The words go right of the badge, or left of it when they fit better there (near the end).
    const double left_room = x - kBadgeWidth / 2 - 4 - label_free;
    label_free = x + kBadgeWidth / 2 + 2;
    const double right_room = std::min(next, frame.width - 4) - label_free - 6;
    const bool leftwards = static_cast<double>(text.size()) * kCharWidth > right_room && left_room > right_room;
    const double room = leftwards ? left_room : right_room;
    const auto chars = static_cast<std::size_t>(std::max(0.0, room / kCharWidth));
    if (chars >= 6) {
      std::string words = text.size() <= chars ? text : text.substr(0, chars - 1) + "\u2026";
      if (leftwards) {
        append_text(out, x - kBadgeWidth / 2 - 3, top - 9, "end", "mark", words);
      } else {
        append_text(out, label_free + 1, top - 9, "start", "mark", words);
        label_free += static_cast<double>(std::min(words.size(), chars)) * kCharWidth + 6;
      }
    }
  }
}

std::string step_path(const TimeFrame& frame, const ValueScale& scale, SimTime bucket_width,
                      const std::vector<double>& values) {
  std::string d;
  bool drawing = false;
  for (std::size_t b = 0; b < values.size(); ++b) {
    if (std::isnan(values[b])) {
      drawing = false;
      continue;
    }
    const auto t0 = static_cast<SimTime>(b) * bucket_width;
    const double y = scale.y(values[b]);
    d += drawing ? "V" + px(y) : "M" + px(frame.x(t0)) + " " + px(y);
    d += "H" + px(frame.x(t0 + bucket_width));
    drawing = true;
  }
  return d;
}

std::string band_path(const TimeFrame& frame, const ValueScale& scale, SimTime bucket_width,
                      const std::vector<double>& lower, const std::vector<double>& upper) {
  const std::size_t n = std::min(lower.size(), upper.size());
  if (n == 0) return {};
  std::string d = "M" + px(frame.x(0)) + " " + px(scale.y(upper[0]));
  for (std::size_t b = 0; b < n; ++b) {
    if (b > 0) d += "V" + px(scale.y(upper[b]));
    d += "H" + px(frame.x(static_cast<SimTime>(b + 1) * bucket_width));
  }
  for (std::size_t b = n; b-- > 0;) {
    d += "V" + px(scale.y(lower[b]));
    d += "H" + px(frame.x(static_cast<SimTime>(b) * bucket_width));
  }
  return d + "Z";
}

void draw_bucket_tips(std::string& out, const TimeFrame& frame, SimTime bucket_width,
                      const std::vector<std::string>& tips) {
  out += "<g class=\"tips\">";
  for (std::size_t b = 0; b < tips.size(); ++b) {
    if (tips[b].empty()) continue;
    const double x0 = frame.x(static_cast<SimTime>(b) * bucket_width);
    const double x1 = frame.x(static_cast<SimTime>(b + 1) * bucket_width);
    if (x1 <= x0) continue;
    out += "<rect x=\"" + px(x0) + "\" y=\"" + px(frame.plot_top()) + "\" width=\"" + px(x1 - x0) + "\" height=\"" +
           px(frame.plot_bottom() - frame.plot_top()) + "\"><title>" + escape(tips[b]) + "</title></rect>";
  }
  out += "</g>";
}

std::string bucket_range(const ReportCollector& collector, std::size_t bucket) {
  const SimTime w = collector.bucket_width();
  const SimTime resolution = w < kMinute ? (w < kSecond ? 1 : kSecond) : kMinute;
  return format_sim_clock(static_cast<SimTime>(bucket) * w, resolution) + "\u2013" +
         format_sim_clock(static_cast<SimTime>(bucket + 1) * w, resolution);
}

void draw_legend(std::string& out, const std::vector<LegendEntry>& entries) {
  out += "<div class=\"legend\">";
  for (const LegendEntry& e : entries) {
    out += "<span><i class=\"";
    out += e.line ? "swatch-line" : "swatch";
    out += "\" style=\"background:";
    out += e.colour;
    out += "\"></i>" + escape(e.name) + "</span>";
  }
  out += "</div>\n";
}

}  // namespace misim::report
