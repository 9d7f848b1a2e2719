// report.html, "Access over time": a bar per (resource, target) pair coloured by the outcome of
// its calls (granted, or why denied), the pairs denied first, then granted ones while room is left;
// below it every pair counted by state over time, so a fleet of 10,000 still reads in one chart.
#include <algorithm>
#include <array>

#include "misim/token_path_results.hpp"
#include "report_sections.hpp"

namespace misim::report {

namespace {

// By AccessOutcome: granted, no token, token expired, wrong audience, no role assignment, target gone.
constexpr std::array<std::string_view, 6> kOutcomeColours = {kGreen, kVermillion, kOrange, kPurple, kWine, kGrey};

std::string_view colour_of(std::uint8_t outcome) {
  return outcome < kOutcomeColours.size() ? kOutcomeColours[outcome] : kInk;
}

std::string outcome_words(std::uint8_t outcome) {
  std::string words(to_string(static_cast<AccessOutcome>(outcome)));
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

struct Row {
  const AccessPairTrack* pair;
  // Each cell's outcomes (bit 1 << AccessOutcome) over [bounds[i], bounds[i + 1]).
  std::vector<std::uint8_t> cells;
  std::vector<SimTime> bounds;
};

/// A pair's exact history at pixel resolution: a change between two pixels marks both, so a brief
/// denial stays visible however short it was.
Row row_from_segments(const AccessPairTrack& p, const std::vector<AccessSegment>& segments, const TimeFrame& frame) {
  const auto pixels = static_cast<std::size_t>(frame.plot_right() - frame.plot_left());
  Row row{&p, std::vector<std::uint8_t>(pixels, 0), {}};
  row.bounds.reserve(pixels + 1);
  for (std::size_t i = 0; i <= pixels; ++i) {
    row.bounds.push_back(
        static_cast<SimTime>(static_cast<double>(frame.span) * static_cast<double>(i) / static_cast<double>(pixels)));
  }
  for (const AccessSegment& s : segments) {
    if (s.end <= s.begin) continue;
    const auto first =
        static_cast<std::size_t>(std::upper_bound(row.bounds.begin(), row.bounds.end(), s.begin) - row.bounds.begin());
    const auto last =
        static_cast<std::size_t>(std::lower_bound(row.bounds.begin(), row.bounds.end(), s.end) - row.bounds.begin());
    for (std::size_t c = first > 0 ? first - 1 : 0; c < std::min(last, pixels); ++c) row.cells[c] |= 1u << s.outcome;
  }
  return row;
}

/// A pair that flapped more than its segments hold: its outcomes per time bucket, complete.
Row row_from_buckets(const ReportCollector& collector, const AccessPairTrack& p) {
  const std::size_t n = reached_buckets(collector);
  Row row{&p, collector.access_bits()[p.detail], {}};
  row.cells.resize(n);
  for (std::size_t b = 0; b <= n; ++b) row.bounds.push_back(static_cast<SimTime>(b) * collector.bucket_width());
  return row;
}

std::vector<Row> detailed_rows(const ReportCollector& collector, const TimeFrame& frame, std::size_t limit) {
  std::vector<Row> rows;
  const SimTime end = collector.end_time();
  for (const AccessPairTrack& p : collector.access_pairs()) {
    if (p.detail == UINT32_MAX) continue;
    rows.push_back(p.truncated ? row_from_buckets(collector, p)
                               : row_from_segments(p, collector.access_segments()[p.detail], frame));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.pair->first_denied != b.pair->first_denied ? a.pair->first_denied < b.pair->first_denied
                                                        : a.pair->detail < b.pair->detail;
  });
  // Room left: the first pairs that were never denied, in the order of their first call.
  for (const AccessPairTrack& p : collector.access_pairs()) {
    if (rows.size() >= limit) break;
    if (p.first_denied != kForever || p.detail != UINT32_MAX) continue;
    rows.push_back(row_from_segments(p, {{p.first_seen, end, p.state}}, frame));
  }
  return rows;
}

/// The colour of a cell: granted, the first denial reason seen, pale when both happened.
std::string cell_fill(std::uint8_t bits) {
  std::uint8_t denial = 1;
  while (denial < 8 && (bits & (1u << denial)) == 0) ++denial;
  if (denial >= 8) return "fill=\"" + std::string(colour_of(0)) + "\"";
  return "fill=\"" + std::string(colour_of(denial)) + "\"" + ((bits & 1u) != 0 ? " fill-opacity=\"0.5\"" : "");
}

std::string cell_words(std::uint8_t bits) {
  std::string words;
  for (std::uint8_t o = 0; o < 8; ++o) {
    if ((bits & (1u << o)) != 0) words += (words.empty() ? "" : " and ") + outcome_words(o);
  }
  return words;
}

void render_rows(std::string& out, const ReportCollector& collector, const EntityNames& names,
                 const std::vector<Row>& rows, TimeFrame frame) {
  constexpr double kRowHeight = 18;
  constexpr double kBarHeight = 12;
  constexpr double kLabelChars = 40;
  frame.height = frame.top + kRowHeight * static_cast<double>(rows.size()) + frame.bottom;
  open_chart(out, frame, "access of each (resource, target) pair over time");
  draw_time_axis(out, frame);
  draw_fault_windows(out, frame, collector);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const double y = frame.plot_top() + kRowHeight * static_cast<double>(i);
    std::string label = names.resource(row.pair->resource) + " \u2192 " + names.resource(row.pair->target);
    if (label.size() > kLabelChars) label = label.substr(0, kLabelChars - 1) + "\u2026";
    out += "<text x=\"" + px(frame.plot_left() - 8) + "\" y=\"" + px(y + 13) + "\" text-anchor=\"end\" class=\"row\">" +
           escape(label) + "</text>";
    // One rectangle per run of cells alike: a pair that flapped all day is a handful of shapes.
    for (std::size_t c = 0; c < row.cells.size();) {
      std::size_t e = c + 1;
      while (e < row.cells.size() && row.cells[e] == row.cells[c]) ++e;
      if (row.cells[c] != 0) {
        const double x0 = frame.x(row.bounds[c]);
        const double x1 = std::max(frame.x(row.bounds[e]), x0 + 1);
        out += "<rect x=\"" + px(x0) + "\" y=\"" + px(y + 3) + "\" width=\"" + px(x1 - x0) + "\" height=\"" +
               px(kBarHeight) + "\" " + cell_fill(row.cells[c]) + "><title>" + escape(label) + ": " +
               cell_words(row.cells[c]) + " from " + format_sim_clock(row.bounds[c], kSecond) + " to " +
               format_sim_clock(row.bounds[e], kSecond) + "</title></rect>";
      }
      c = e;
    }
    if (row.pair->first_denied != kForever) {
      // In a column of their own right of the bars, which a flapping pair fills edge to edge.
      const std::string note = "denied " + format_sim_clock(row.pair->first_denied, kSecond) + ": " +
                               outcome_words(row.pair->first_denial) +
                               (row.pair->changes > 1 ? " (" + format_count(row.pair->changes) + " changes)" : "");
      out += "<text x=\"" + px(frame.plot_right() + 8) + "\" y=\"" + px(y + 13) + "\" class=\"row\">" + escape(note) +
             "</text>";
    }
  }
  draw_markers(out, frame, collector);
  close_chart(out);
}

void render_aggregate(std::string& out, const ReportCollector& collector) {
  const std::size_t n = reached_buckets(collector);
  std::vector<double> zero(n, 0.0), denied(n), all(n);
  double max = 0;
  std::vector<std::string> tips(n);
  for (std::size_t b = 0; b < n; ++b) {
    denied[b] = collector.pairs_denied()[b];
    all[b] = denied[b] + collector.pairs_granted()[b];
    max = std::max(max, all[b]);
    if (all[b] > 0) {
      tips[b] = bucket_range(collector, b) + ": " + format_count(collector.pairs_granted()[b]) + " granted, " +
                format_count(collector.pairs_denied()[b]) + " denied at its end (at most " +
                format_count(collector.pairs_denied_peak()[b]) + " denied at once)";
    }
  }
  const TimeFrame frame = time_frame(collector, 1240, 200);
  const ValueScale scale = ValueScale::linear(max, frame.plot_top(), frame.plot_bottom());
  open_chart(out, frame, "pairs granted and denied over time");
  draw_value_axis(out, frame, scale, "pairs");
  draw_time_axis(out, frame);
  draw_fault_windows(out, frame, collector);
  out += "<path class=\"area\" fill=\"";
  out += kVermillion;
  out += "\" d=\"" + band_path(frame, scale, collector.bucket_width(), zero, denied) + "\"/>";
  out += "<path class=\"area\" fill=\"";
  out += kGreen;
  out += "\" d=\"" + band_path(frame, scale, collector.bucket_width(), denied, all) + "\"/>";
  draw_markers(out, frame, collector);
  draw_bucket_tips(out, frame, collector.bucket_width(), tips);
  close_chart(out);
  draw_legend(out, {{kGreen, "pairs whose last call was granted"}, {kVermillion, "pairs whose last call was denied"}});
}

/// Denied pairs alone, when they are too few to see beside the granted ones.
void render_denied(std::string& out, const ReportCollector& collector) {
  const std::size_t n = reached_buckets(collector);
  std::vector<double> zero(n, 0.0), denied(n), peak(n);
  double max = 0;
  for (std::size_t b = 0; b < n; ++b) {
    denied[b] = collector.pairs_denied()[b];
    peak[b] = collector.pairs_denied_peak()[b];
    max = std::max(max, peak[b]);
  }
  const TimeFrame frame = time_frame(collector, 1240, 170);
  const ValueScale scale = ValueScale::linear(max, frame.plot_top(), frame.plot_bottom());
  open_chart(out, frame, "pairs denied over time");
  draw_value_axis(out, frame, scale, "pairs denied");
  draw_time_axis(out, frame);
  draw_fault_windows(out, frame, collector);
  out += "<path class=\"area\" fill=\"";
  out += kVermillion;
  out += "\" d=\"" + band_path(frame, scale, collector.bucket_width(), zero, denied) + "\"/>";
  out += "<path class=\"line dotted\" stroke=\"";
  out += kInk;
  out += "\" d=\"" + step_path(frame, scale, collector.bucket_width(), peak) + "\"/>";
  draw_markers(out, frame, collector);
  close_chart(out);
  draw_legend(out, {{kVermillion, "pairs denied at the end of the bucket"}, {kInk, "most denied at once", true}});
}

}  // namespace

void render_access_section(std::string& out, const ReportCollector& collector, const EntityNames& names) {
  out += "<section id=\"access\"><h2>Access over time</h2>\n";
  const auto& pairs = collector.access_pairs();
  if (pairs.empty()) {
    out += "<p class=\"empty\">No workload called a target.</p>\n</section>\n";
    return;
  }
  TimeFrame frame = time_frame(collector, 1240, 0);
  frame.left = 270;   // room for "resource -> target"
  frame.right = 240;  // and for "denied 12:10:07: no token (3 changes)"
  const std::vector<Row> rows = detailed_rows(collector, frame, collector.options().detailed_pairs);
  out += "<p class=\"what\">" + format_count(pairs.size()) + " (resource, target) pairs called their targets; " +
         format_count(collector.pairs_with_denials()) + " saw a denial. Each bar is one pair from its first call, " +
         "coloured by the outcome of its calls (pale: granted and denied within the stretch), labelled at its first "
         "denial. " +
         (rows.size() < pairs.size() ? "Shown: " + format_count(rows.size()) +
                                           " pairs, those denied first and then the first granted; the "
                                           "chart below counts all of them."
                                     : std::string("All pairs are shown.")) +
         "</p>\n<div class=\"chart-block\">";
  render_rows(out, collector, names, rows, frame);
  std::vector<LegendEntry> legend;
  for (std::size_t o = 0; o < kOutcomeColours.size(); ++o) {
    legend.push_back({kOutcomeColours[o], outcome_words(static_cast<std::uint8_t>(o))});
  }
  draw_legend(out, legend);
  out += "</div>\n<div class=\"chart-block\"><h3>All pairs by state</h3>";
  render_aggregate(out, collector);
  // A denied pair in a hundred is a sliver in the stack: then it gets a chart of its own.
  constexpr double kSliver = 0.2;
  std::uint32_t most_denied = 0, most_pairs = 0;
  for (std::size_t b = 0; b < reached_buckets(collector); ++b) {
    most_denied = std::max(most_denied, collector.pairs_denied_peak()[b]);
    most_pairs = std::max(most_pairs, collector.pairs_denied()[b] + collector.pairs_granted()[b]);
  }
  if (most_denied > 0 && most_denied < kSliver * most_pairs) {
    out += "<h3>Denied pairs, on their own scale</h3>";
    render_denied(out, collector);
  }
  out += "</div>\n</section>\n";
}

}  // namespace misim::report
