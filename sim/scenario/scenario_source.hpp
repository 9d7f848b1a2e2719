// From scenario files to one YAML tree: reading a file (refusing what cannot be a scenario before
// yaml-cpp sees it: oversized files, binary bytes, nesting deep enough to exhaust a recursive
// parser), parsing with syntax errors placed and explained, and `extends` (a scenario built on
// another file: docs/scenarios.md, "Extending a scenario"). Private to sim/scenario.
//
//   ScenarioSource source = read_scenario_source(text, "scenarios/a.yaml");  // throws LoadAbort
//   const Document doc(source.files, &params);   // places name the file each node came from
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "misim/result.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

/// The largest scenario file the loader reads. The library's largest is a few KiB; a file this big
/// is a mistake (a trace or a binary named on the command line), and reading it whole would be slow.
inline constexpr std::size_t kMaxScenarioBytes = 2 * 1024 * 1024;
/// The deepest nesting of YAML collections accepted. A scenario nests six levels at most (services:
/// aad: latency: percentiles:); yaml-cpp recurses per level and gives up at a few hundred with the
/// message "bad file", so deeper input is refused first, with its place.
inline constexpr int kMaxNesting = 64;
/// The most values (scalars and collections) a document may hold. yaml-cpp spends about 5 us and
/// 450 bytes on each (measured: a 4 MB flat list of 2 million numbers took 10.7 s and 940 MB), so
/// this keeps any file within about half a second; the library's largest scenario holds about 150.
inline constexpr std::size_t kMaxValues = 100'000;
/// The longest chain of `extends` (a scenario, its base, the base's base, ...).
inline constexpr int kMaxExtendsDepth = 8;

/// A scenario's YAML, with every file it extends merged in.
struct ScenarioSource {
  YAML::Node root;                 // a mapping
  std::vector<std::string> files;  // files[0] is the scenario, then each file it extends, in order
  std::uint64_t hash = 0;          // of every file's bytes
};

/// Reads the scenario `text` (named `file`) and every file it extends. Throws LoadAbort.
ScenarioSource read_scenario_source(const std::string& text, const std::string& file);

/// A file's bytes, or an error if it cannot be read or is larger than kMaxScenarioBytes.
Result<std::string> read_scenario_file(const std::string& path);

/// Rewrites each `${name}` as `$<name>`, of the same length so every line and column stays put.
/// YAML forbids '{' and '}' inside plain scalars in flow context, so `{count: ${vms}}` (the form
/// design.md uses) would not parse; `$<vms>` does. Document::scalar substitutes the rewritten form.
std::string protect_param_references(const std::string& text);

}  // namespace misim::scenario
