// `misim trace convert|stats|sequence TRACE`: a run's trace.pb turned into what people read
// (docs/traces.md, "Converting a trace"). All of them stream the trace, so memory does not grow with it.
//
//   misim trace convert out/trace.pb --to chrome -o t.json     # Perfetto UI, chrome://tracing
//   misim trace convert out/trace.pb --to csv -o tables/       # one CSV per event family
//   misim trace convert out/trace.pb --to sqlite -o t.db       # the same tables, indexed
//   misim trace stats out/trace.pb                             # summary.json's numbers
//   misim trace sequence out/trace.pb --request 42             # a Mermaid sequence diagram
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "misim/output_directory.hpp"
#include "misim/sequence_diagram.hpp"
#include "misim/trace_convert.hpp"
#include "misim/trace_file.hpp"
#include "misim/trace_stats.hpp"

namespace misim::cli {

namespace {

struct TraceOptions {
  std::string file;
  std::string to;
  std::string out;
  std::optional<std::uint64_t> request;
  bool list = false;
};

/// `misim: FILE: message` for a problem with the trace (the reader names the file in the error's
/// place), `misim: message` for one with an output (whose message names it).
int fail(const Error& error) {
  std::cerr << "misim: " << (error.place.file.empty() ? "" : error.place.file + ": ") << error.message << '\n';
  return kExitBadInput;
}

/// Streams the whole trace (or until the consumer is done) into `consumer`.
int read_into(Result<TraceReader>& reader, TraceConsumer& consumer) {
  if (Status s = convert(*reader, consumer); !s) return fail(s.error());
  return kExitOk;
}

/// Writes `text` to `path` atomically, or to stdout when no path is given.
int emit(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::cout << text;
    return kExitOk;
  }
  const std::size_t slash = path.rfind('/');
  OutputDirectory out(slash == std::string::npos ? "." : path.substr(0, slash));
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (Status s = out.write(name, text); !s) return fail(s.error());
  if (Status s = out.commit(); !s) return fail(s.error());
  return kExitOk;
}

/// The trace, opened before any output is created, so an unreadable one leaves nothing behind.
Result<TraceReader> open_trace(const std::string& file) {
  Result<TraceReader> reader = TraceReader::open(file);
  if (!reader && reader.error().place.file.empty()) return Error{reader.error().message, {file}};
  return reader;
}

int convert_trace(const TraceOptions& o) {
  Result<TraceReader> reader = open_trace(o.file);
  if (!reader) return fail(reader.error());
  Result<std::unique_ptr<TraceConsumer>> converter = o.to == "chrome" ? chrome_trace_writer(o.out)
                                                     : o.to == "csv"  ? csv_trace_writer(o.out)
                                                                      : sqlite_trace_writer(o.out);
  if (!converter) return fail(converter.error());
  return read_into(reader, **converter);
}

int trace_stats(const TraceOptions& o) {
  Result<TraceReader> reader = open_trace(o.file);
  if (!reader) return fail(reader.error());
  TraceStatistics stats;
  if (const int rc = read_into(reader, stats); rc != kExitOk) return rc;
  return emit(o.out, stats.json_text());
}

int trace_sequence(const TraceOptions& o) {
  if (o.list == o.request.has_value()) {
    std::cerr << "misim: trace sequence: give either --request N or --list\n";
    return kExitBadInput;
  }
  Result<TraceReader> reader = open_trace(o.file);
  if (!reader) return fail(reader.error());
  if (o.list) {
    RequestIndex index;
    if (const int rc = read_into(reader, index); rc != kExitOk) return rc;
    return emit(o.out, index.text());
  }
  RequestSequence sequence(*o.request);
  if (const int rc = read_into(reader, sequence); rc != kExitOk) return rc;
  if (!sequence.found()) return fail(Error{sequence.why_not_found(), {o.file}});
  return emit(o.out, sequence.mermaid());
}

}  // namespace

void add_trace_command(CLI::App& app, std::function<int()>& action) {
  static TraceOptions options;  // CLI11 binds options to storage that outlives parsing
  auto* trace = app.add_subcommand("trace", "Convert, summarise or draw a run's trace (trace.pb)");
  trace->require_subcommand(1);

  auto* convert_cmd = trace->add_subcommand("convert", "Convert a trace for Perfetto UI, spreadsheets or SQL");
  convert_cmd->add_option("TRACE", options.file, "Trace file written by misim run --trace (trace.pb)")->required();
  convert_cmd->add_option("--to", options.to, "chrome (JSON for Perfetto UI), csv (a directory of tables) or sqlite")
      ->required()
      ->check(CLI::IsMember({"chrome", "csv", "sqlite"}));
  convert_cmd->add_option("-o,--out", options.out, "Output file (a directory for csv); written atomically")->required();
  convert_cmd->callback([&action] { action = [] { return convert_trace(options); }; });

  auto* stats_cmd = trace->add_subcommand("stats", "Recompute summary.json's statistics from a trace (JSON)");
  stats_cmd->add_option("TRACE", options.file, "Trace file (trace.pb)")->required();
  stats_cmd->add_option("-o,--out", options.out, "Write to this file instead of standard output");
  stats_cmd->callback([&action] { action = [] { return trace_stats(options); }; });

  auto* sequence_cmd = trace->add_subcommand("sequence", "Draw a token request as a Mermaid sequence diagram");
  sequence_cmd->add_option("TRACE", options.file, "Trace file (trace.pb), recorded at level requests or all")
      ->required();
  sequence_cmd->add_option("--request", options.request, "The request's id (see --list)");
  sequence_cmd->add_flag("--list", options.list, "List some requests (the first 20, and up to 20 that failed)");
  sequence_cmd->add_option("-o,--out", options.out, "Write to this file instead of standard output");
  sequence_cmd->callback([&action] { action = [] { return trace_sequence(options); }; });
}

}  // namespace misim::cli
