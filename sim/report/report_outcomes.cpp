// report.html, "Request outcomes over time": what the token endpoints answered (stacked by
// status), the errors alone on their own scale (a few 429s vanish under a million 200s), and what
// became of the applications' calls.
#include <algorithm>
#include <array>

#include "report_sections.hpp"

namespace misim::report {

namespace {

struct Category {
  RequestOutcome outcome;
  std::string_view colour;
};

// Bottom to top of a stack: the common case at the base, trouble on top where the eye lands.
constexpr std::array<Category, 9> kAnswers = {{{RequestOutcome::k200, kBlue},
                                               {RequestOutcome::k200Cached, kSky},
                                               {RequestOutcome::k400, kPurple},
                                               {RequestOutcome::k401, kYellow},
                                               {RequestOutcome::k404, kGrey},
                                               {RequestOutcome::k410, kWine},
                                               {RequestOutcome::k429, kOrange},
                                               {RequestOutcome::k5xx, kVermillion},
                                               {RequestOutcome::kOtherStatus, kInk}}};
constexpr std::array<Category, 3> kCalls = {{{RequestOutcome::kCallCached, kGreen},
                                             {RequestOutcome::kCallGranted, kSky},
                                             {RequestOutcome::kCallDenied, kVermillion}}};

/// Counts per bucket become a rate in a unit that gives readable numbers.
struct RateUnit {
  double per_bucket_to_rate = 1;
  std::string_view name;  // "per second"
};

RateUnit rate_unit(SimTime bucket_width, double max_per_bucket) {
  const double seconds = to_seconds(bucket_width);
  const double per_second = max_per_bucket / seconds;
  if (per_second >= 1) return {1 / seconds, "per second"};
  if (per_second * 60 >= 1) return {60 / seconds, "per minute"};
  return {3600 / seconds, "per hour"};
}

template <std::size_t N>
void render_stack(std::string& out, const ReportCollector& collector, const std::array<Category, N>& categories,
                  const std::string& title, const std::string& what, std::string_view noun) {
  const std::size_t n = reached_buckets(collector);
  const auto& counts = collector.outcomes();
  std::vector<Category> present;
  for (const Category& c : categories) {
    if (collector.outcome_total(c.outcome) > 0) present.push_back(c);
  }
  if (present.empty()) return;
  double max_total = 0;
  for (std::size_t b = 0; b < n; ++b) {
    double total = 0;
    for (const Category& c : present) total += static_cast<double>(counts[b][static_cast<std::size_t>(c.outcome)]);
    max_total = std::max(max_total, total);
  }
  const RateUnit unit = rate_unit(collector.bucket_width(), max_total);
  const TimeFrame frame = time_frame(collector, 1240, 230);
  const ValueScale scale =
      ValueScale::linear(max_total * unit.per_bucket_to_rate, frame.plot_top(), frame.plot_bottom());

  out += "<div class=\"chart-block\"><h3>" + escape(title) + "</h3><p class=\"what\">" + escape(what) + "</p>\n";
  open_chart(out, frame, title);
  draw_warmup(out, frame, collector.run().warmup);
  draw_value_axis(out, frame, scale, std::string(noun) + " " + std::string(unit.name));
  draw_time_axis(out, frame);
  draw_fault_windows(out, frame, collector);
  std::vector<double> lower(n, 0.0), upper(n, 0.0);
  std::vector<LegendEntry> legend;
  for (const Category& c : present) {
    for (std::size_t b = 0; b < n; ++b) {
      lower[b] = upper[b];
      upper[b] += static_cast<double>(counts[b][static_cast<std::size_t>(c.outcome)]) * unit.per_bucket_to_rate;
    }
    out += "<path class=\"area\" fill=\"";
    out += c.colour;
    out += "\" d=\"" + band_path(frame, scale, collector.bucket_width(), lower, upper) + "\"><title>" +
           escape(to_string(c.outcome)) + ": " + format_count(collector.outcome_total(c.outcome)) +
           " in all</title></path>";
    legend.push_back(
        {c.colour, std::string(to_string(c.outcome)) + " (" + format_count(collector.outcome_total(c.outcome)) + ")"});
  }
  draw_markers(out, frame, collector);
  std::vector<std::string> tips(n);
  for (std::size_t b = 0; b < n; ++b) {
    std::string tip;
    for (const Category& c : present) {
      const std::uint64_t k = counts[b][static_cast<std::size_t>(c.outcome)];
      if (k == 0) continue;
      tip += (tip.empty() ? "" : "; ") + std::string(to_string(c.outcome)) + " " + format_count(k);
    }
    if (!tip.empty()) tips[b] = bucket_range(collector, b) + ": " + tip;
  }
  draw_bucket_tips(out, frame, collector.bucket_width(), tips);
  close_chart(out);
  std::reverse(legend.begin(), legend.end());  // top of the stack first, as drawn
  draw_legend(out, legend);
  out += "</div>\n";
}

}  // namespace

void render_outcome_section(std::string& out, const ReportCollector& collector) {
  out += "<section id=\"outcomes\"><h2>Request outcomes over time</h2>\n";
  std::uint64_t answers = 0, errors = 0, calls = 0;
  for (const Category& c : kAnswers) answers += collector.outcome_total(c.outcome);
  for (std::size_t i = 2; i < kAnswers.size(); ++i) errors += collector.outcome_total(kAnswers[i].outcome);
  for (const Category& c : kCalls) calls += collector.outcome_total(c.outcome);
  if (answers + calls == 0) out += "<p class=\"empty\">No requests were recorded.</p>\n";
  render_stack(out, collector, kAnswers, "Answers of the token endpoints",
               "Every answer a client got from its host's token endpoint (IMDS), retries included, stacked by "
               "HTTP status; 200s split into those AAD issued and those the endpoint served from its cache. Plain "
               "stages' requests count as 200 when served and 5xx (503) when turned away.",
               "answers");
  if (errors > 0) {
    const std::array<Category, 7> error_categories = {kAnswers[2], kAnswers[3], kAnswers[4], kAnswers[5],
                                                      kAnswers[6], kAnswers[7], kAnswers[8]};
    render_stack(out, collector, error_categories, "Errors only",
                 "The same answers without the 200s, on their own scale: 429 is throttling (retry after a "
                 "pause), 5xx a failing service (an outage), 400/404/410 an identity the endpoint does not know "
                 "(yet).",
                 "errors");
  }
  render_stack(out, collector, kCalls, "Application calls at their targets",
               "Calls the workloads made to their targets: granted with a token from the SDK's cache, granted "
               "after acquiring a token, or denied (no token, expired, no role assignment, target gone).",
               "calls");
  out += "</section>\n";
}

}  // namespace misim::report
