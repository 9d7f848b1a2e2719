// report.html as a whole: the page, its style, the headline (verdict and key numbers from
// summary.json), the expectations, the lifecycle table, the scenario; the time charts and the
// graph come from the report_* section files. Everything is inline; nothing is fetched.
#include <nlohmann/json.hpp>

#include "misim/directory.hpp"
#include "misim/scenario.hpp"
#include "misim/version.hpp"
#include "report_sections.hpp"

namespace misim {

namespace report {

namespace {

using Json = nlohmann::json;

// The page's style: system fonts only (nothing to download), charts scale to the page's width.
constexpr std::string_view kStyle = R"css(
:root{--ink:#222;--muted:#5a5a5a;--rule:#ddd;--ok:#0a7d55;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:34px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--rule)}
h3{font-size:15px;margin:14px 0 2px}
p{margin:4px 0 8px}
.what{color:var(--muted);max-width:1100px}
.empty{color:var(--muted);font-style:italic}
nav{margin:10px 0 0;font-size:13px}
nav a{margin-right:14px;color:#0b5cad;text-decoration:none}
.facts-line{color:var(--muted);font-size:13px}
.verdict{display:inline-block;margin:10px 0;padding:6px 12px;border-radius:6px;font-weight:600;font-size:15px}
.verdict.ok{background:#dff3ea;color:var(--ok)}
.verdict.bad{background:#fbe2df;color:var(--bad)}
.verdict.none{background:#ececec;color:var(--muted)}
.warning{background:#fff3cd;border:1px solid #e6c35c;padding:8px 12px;border-radius:6px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px;margin-top:8px}
.card{background:#fff;border:1px solid var(--rule);border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:22px;font-weight:650}
.card span{color:var(--muted);font-size:12px}
.chart-block{background:#fff;border:1px solid var(--rule);border-radius:8px;padding:8px 12px 10px;margin:10px 0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}
svg{display:block;width:100%;height:auto;font-family:inherit}
svg text{font-size:11px;fill:var(--ink)}
svg .tick{fill:#555}
svg .axis{font-size:12px;fill:#333}
svg .grid line{stroke:#e6e6e6;stroke-width:1}
svg .frame{stroke:#999;stroke-width:1}
svg .line{fill:none;stroke-width:2;stroke-linejoin:round}
svg .dotted{stroke-width:1.2;stroke-dasharray:2 3;opacity:.75}
svg .area{stroke:none;opacity:.92}
svg .warmup{fill:#000;fill-opacity:.05}
svg .fault{fill:#E69F00;fill-opacity:.2}
svg .op{stroke:#333;stroke-width:1.2;stroke-dasharray:4 3}
svg .op.refused{stroke:#aaa}
svg .badge rect{fill:#333}
svg .badge-fault rect{fill:#9a5b00}
svg .badge text{fill:#fff;font-size:10px;font-weight:600}
svg .mark{fill:#333}
svg .tips rect{fill:#000;fill-opacity:0}
svg .tips rect:hover{fill-opacity:.07}
svg .edge{fill:none;stroke:#9a9a9a;stroke-width:1.2}
svg .orphan-edge{stroke:#D55E00;stroke-dasharray:4 3}
svg .node rect{stroke:#777;stroke-width:1}
svg .node .label{font-size:12px;font-weight:600}
svg .node .kind{fill:#555}
svg .resource rect{fill:#dbeaf7}
svg .system rect{fill:#d4ecf9}
svg .user rect{fill:#fbe3b8}
svg .principal rect{fill:#e4e4e4}
svg .assignment rect{fill:#fff6c8}
svg .orphan rect{fill:#fbd3c1;stroke:#D55E00;stroke-dasharray:4 3}
svg .scope rect{fill:#cdeee2}
svg .more rect{fill:#f0f0f0;stroke-dasharray:3 3}
.legend{font-size:12px;color:#333;margin-top:4px}
.legend span{display:inline-block;margin-right:16px;white-space:nowrap}
.legend i{display:inline-block;vertical-align:middle;margin-right:5px}
.swatch{width:12px;height:12px;border-radius:2px}
.swatch-line{width:18px;height:3px}
table{border-collapse:collapse;background:#fff;margin:6px 0}
th,td{border:1px solid var(--rule);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.ok{color:var(--ok);font-weight:600}
td.bad{color:var(--bad);font-weight:600}
code{font-size:12px}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media (max-width:900px){.pair{grid-template-columns:1fr}}
)css";

/// The node at a dotted path, or nullptr.
const Json* at(const Json& root, std::string_view path) {
  const Json* node = &root;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    if (!node->is_object()) return nullptr;
    const auto it = node->find(std::string(path.substr(0, dot)));
    if (it == node->end()) return nullptr;
    node = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node;
}

double number_at(const Json& root, std::string_view path, double fallback = -1) {
  const Json* n = at(root, path);
  return n != nullptr && n->is_number() ? n->get<double>() : fallback;
}

std::string text_at(const Json& root, std::string_view path) {
  const Json* n = at(root, path);
  if (n == nullptr) return {};
  return n->is_string() ? n->get<std::string>() : n->dump();
}

void card(std::string& out, const std::string& value, std::string_view label) {
  out += "<div class=\"card\"><b>" + escape(value) + "</b><span>" + escape(label) + "</span></div>";
}

void render_headline(std::string& out, const ReportInput& in, const Json& summary) {
  const ReportCollector& c = *in.collector;
  out += "<header><h1>" + escape(in.scenario_name.empty() ? "misim run" : in.scenario_name) + "</h1>\n";
  if (!in.description.empty()) out += "<p>" + escape(in.description) + "</p>\n";
  const SimTime duration = c.run().duration;
  std::string facts = "seed " + std::to_string(in.seed) + " \u00b7 duration " + format_duration(duration);
  if (c.ended()) facts += " \u00b7 ran to " + format_sim_clock(c.end_time(), kSecond);
  const std::string fingerprint = text_at(summary, "fingerprint");
  if (!fingerprint.empty()) facts += " \u00b7 fingerprint " + fingerprint;
  if (!in.scenario_file.empty()) facts += " \u00b7 " + in.scenario_file;
  out += "<p class=\"facts-line\">" + escape(facts) + "</p>\n";
  if (c.interrupted()) {
    out += "<p class=\"warning\">The run was interrupted at " + format_sim_clock(c.end_time(), kSecond) +
           ", before its duration: the charts end there.</p>\n";
  }
  // The verdict on the scenario's expectations.
  const Json* expectations = at(summary, "expectations");
  std::size_t total = 0, met = 0;
  if (expectations != nullptr && expectations->is_array()) {
    for (const Json& e : *expectations) {
      ++total;
      if (e.value("met", false)) ++met;
    }
  }
  if (total == 0) {
    out += "<div class=\"verdict none\">No expectations</div>\n";
  } else if (met == total) {
    out += "<div class=\"verdict ok\">\u2713 All " + std::to_string(total) + " expectations met</div>\n";
  } else {
    out += "<div class=\"verdict bad\">\u2717 " + std::to_string(total - met) + " of " + std::to_string(total) +
           " expectations failed</div>\n";
  }
  out += "<div class=\"cards\">";
  const double acquisitions = number_at(summary, "requests.acquisitions");
  if (acquisitions >= 0) card(out, format_count(static_cast<std::uint64_t>(acquisitions)), "token acquisitions");
  // summary.json's latency is the token acquisitions', or the stages' when there are none.
  const double p99 = number_at(summary, "requests.latency_ms.p99");
  if (p99 >= 0) {
    card(out, format_latency_ms(p99), acquisitions > 0 ? "p99 token acquisition latency" : "p99 time at the stages");
  }
  const double calls = number_at(summary, "requests.calls");
  if (calls > 0) {
    card(out, format_count(static_cast<std::uint64_t>(calls)), "application calls");
    const double hits = number_at(summary, "requests.cache_hits", 0);
    card(out, format_number(100 * hits / calls) + "%", "calls served from the SDK cache");
  }
  std::uint64_t throttled = 0, failed = 0;
  if (const Json* by_status = at(summary, "requests.by_status"); by_status != nullptr && by_status->is_object()) {
    for (const auto& [status, count] : by_status->items()) {
      if (!count.is_number()) continue;
      if (status == "429") throttled += count.get<std::uint64_t>();
      if (status.size() == 3 && status[0] == '5') failed += count.get<std::uint64_t>();
    }
    card(out, format_count(throttled), "throttled answers (429)");
    card(out, format_count(failed), "service errors (5xx)");
  }
  const double pairs = number_at(summary, "access.pair_count");
  if (pairs >= 0) {
    card(out,
         format_count(static_cast<std::uint64_t>(number_at(summary, "access.pairs_with_denials", 0))) + " / " +
             format_count(static_cast<std::uint64_t>(pairs)),
         "access pairs with a denial");
  }
  const double events = number_at(summary, "events");
  if (events >= 0) card(out, format_count(static_cast<std::uint64_t>(events)), "events simulated");
  const double wall = number_at(summary, "wall_s");
  if (wall >= 0) card(out, format_latency_ms(wall * 1000), "wall-clock time of the run");
  if (summary.is_discarded() || summary.empty()) {
    card(out, format_count(c.events()), "events seen by the report");
    card(out, format_count(c.access_pairs().size()), "access pairs");
  }
  out += "</div>\n</header>\n";
}

void render_expectations(std::string& out, const Json& summary) {
  out += "<section id=\"expectations\"><h2>Expectations</h2>\n";
  const Json* expectations = at(summary, "expectations");
  if (expectations == nullptr || !expectations->is_array() || expectations->empty()) {
    out += "<p class=\"empty\">The scenario states no expectations.</p>\n</section>\n";
    return;
  }
  out += "<table><tr><th>result</th><th>expectation</th><th>actual</th><th>why not</th><th>where</th></tr>";
  for (const Json& e : *expectations) {
    const bool met = e.value("met", false);
    std::string actual;
    if (const auto it = e.find("actual"); it != e.end() && it->is_number()) actual = format_number(it->get<double>());
    out += "<tr><td class=\"" + std::string(met ? "ok\">\u2713 met" : "bad\">\u2717 failed") + "</td><td><code>" +
           escape(e.value("expect", "")) + "</code></td><td class=\"num\">" + escape(actual) + "</td><td>" +
           escape(e.value("detail", "")) + "</td><td><code>" + escape(e.value("where", "")) + "</code></td></tr>";
  }
  out += "</table>\n</section>\n";
}

void render_lifecycle(std::string& out, const ReportCollector& c) {
  out += "<section id=\"lifecycle\"><h2>Lifecycle events</h2>\n";
  if (c.markers().empty()) {
    out += "<p class=\"empty\">The timeline has no operations or faults.</p>\n</section>\n";
    return;
  }
  out +=
      "<p class=\"what\">The timeline's operations (dashed lines) and fault windows (shaded) on every time "
      "chart, by number.</p>\n<table><tr><th>#</th><th>at</th><th>until</th><th>what</th><th>kind</th></tr>";
  for (std::size_t i = 0; i < c.markers().size(); ++i) {
    const LifecycleMarker& m = c.markers()[i];
    const bool fault = m.kind == LifecycleMarker::Kind::kFault;
    out += "<tr><td class=\"num\">" + std::to_string(i + 1) + "</td><td>" + format_sim_clock(m.begin, kSecond) +
           "</td><td>" + (fault ? format_sim_clock(m.end, kSecond) : "") + "</td><td>" + escape(marker_text(c, m)) +
           "</td><td>" +
           (fault       ? "fault"
            : m.applied ? "operation"
                        : "operation, refused") +
           "</td></tr>";
  }
  out += "</table>\n";
  if (c.markers_dropped() > 0) {
    out += "<p class=\"what\">" + format_count(c.markers_dropped()) + " more events are not listed.</p>\n";
  }
  out += "</section>\n";
}

void render_scenario(std::string& out, const ReportInput& in) {
  const ReportCollector& c = *in.collector;
  const RunInfo& run = c.run();
  out += "<section id=\"scenario\"><h2>Scenario</h2>\n<table>";
  const auto row = [&](std::string_view key, const std::string& value) {
    out += "<tr><th>";
    out += key;
    out += "</th><td>" + escape(value) + "</td></tr>";
  };
  row("name", in.scenario_name);
  if (!in.scenario_file.empty()) row("file", in.scenario_file);
  if (!in.description.empty()) row("description", in.description);
  row("seed", std::to_string(in.seed));
  row("duration", format_duration(run.duration));
  if (run.warmup > 0) row("warm-up", format_duration(run.warmup));
  if (run.sample_interval > 0) row("station samples every", format_duration(run.sample_interval));
  row("chart buckets", std::to_string(c.bucket_count()) + " of " + format_duration(c.bucket_width()));
  out += "</table>\n";
  if (!in.params.empty()) {
    out += "<h3>Parameters</h3><table><tr><th>param</th><th>value</th></tr>";
    for (const auto& [name, value] : in.params) {
      out += "<tr><td><code>" + escape(name) + "</code></td><td><code>" + escape(value) + "</code></td></tr>";
    }
    out += "</table>\n";
  }
  if (!run.stations.empty()) {
    out += "<h3>Stations</h3><table><tr><th>station</th><th>role</th><th>servers</th></tr>";
    for (const StationInfo& s : run.stations) {
      out += "<tr><td>" + escape(s.name) + "</td><td>" + escape(s.role) + "</td><td class=\"num\">" +
             format_count(static_cast<std::uint64_t>(std::max(s.servers, 0))) + "</td></tr>";
    }
    out += "</table>\n";
  }
  out += "</section>\n";
}

std::string page(const ReportInput& input) {
  if (input.collector == nullptr) return {};
  const ReportCollector& c = *input.collector;
  const Json summary = input.summary_json.empty() ? Json::object() : Json::parse(input.summary_json, nullptr, false);
  std::string out;
  constexpr std::size_t kTypicalPage = 256 * 1024;
  out.reserve(kTypicalPage);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"generator\" content=\"misim " +
      std::string(kVersion) + "\"><title>" + escape(input.scenario_name) + " \u2014 misim report</title><style>";
  out += kStyle;
  out += "</style></head>\n<body><main>\n";
  render_headline(out, input, summary.is_discarded() ? Json::object() : summary);
  out +=
      "<nav><a href=\"#expectations\">Expectations</a><a href=\"#latency\">Latency</a><a "
      "href=\"#outcomes\">Outcomes</a><a href=\"#queues\">Queues</a><a href=\"#access\">Access</a><a "
      "href=\"#graph\">Identity graph</a><a href=\"#lifecycle\">Lifecycle</a><a href=\"#scenario\">Scenario</a>"
      "</nav>\n";
  render_expectations(out, summary.is_discarded() ? Json::object() : summary);
  render_latency_section(out, c);
  render_outcome_section(out, c);
  render_queue_section(out, c);
  render_access_section(out, c, EntityNames(c, input.directory));
  render_identity_graph(out, input.directory, c);
  render_lifecycle(out, c);
  render_scenario(out, input);
  out += "<footer>Made by misim " + std::string(kVersion) +
         ". One self-contained file: its charts are inline SVG; hover a chart for the numbers of a time "
         "bucket. docs/report.md explains each chart.</footer>\n</main></body></html>\n";
  return out;
}

}  // namespace

std::string EntityNames::resource(std::uint32_t index) const {
  const std::string_view name = collector_.entity_name(EntityKind::kResource, index);
  if (!name.empty()) return std::string(name);
  if (directory_ != nullptr && index < directory_->count(EntityKind::kResource)) {
    return std::string(directory_->name(ResourceId(index)));
  }
  return "resource #" + std::to_string(index);
}

TimeFrame time_frame(const ReportCollector& collector, double width, double height) {
  TimeFrame frame;
  frame.width = width;
  frame.height = height;
  const SimTime duration = collector.run().duration;
  frame.span = duration > 0 && duration != kForever
                   ? duration
                   : static_cast<SimTime>(collector.bucket_count()) * collector.bucket_width();
  return frame;
}

std::size_t reached_buckets(const ReportCollector& collector) {
  if (!collector.ended()) return collector.bucket_count();
  return std::min(collector.bucket_count(), collector.bucket_of(collector.end_time()) + 1);
}

}  // namespace report

ReportInput report_input(const Scenario& scenario, const ReportCollector& collector, std::string summary_json,
                         const Directory* directory) {
  ReportInput in;
  in.collector = &collector;
  in.scenario_name = scenario.name;
  in.description = scenario.description;
  in.scenario_file = scenario.file;
  in.seed = scenario.simulation.seed;
  for (const Param& p : scenario.params) in.params.emplace_back(p.name, p.value);
  in.summary_json = std::move(summary_json);
  in.directory = directory;
  return in;
}

std::string render_report_html(const ReportInput& input) { return report::page(input); }

}  // namespace misim
