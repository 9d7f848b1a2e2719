// Reading YAML nodes into typed values with located errors, `${param}` substitution and strict
// key checking. Private to sim/scenario: yaml-cpp stays behind this folder's boundary.
#pragma once

// yaml-cpp 0.7 headers (Debian 12) trip GCC 12's -Wdangling-pointer in Node::operator[]: the
// temporaries it flags live to the end of the full expression. Silenced for these headers only.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "misim/result.hpp"
#include "misim/scenario.hpp"
#include "misim/time.hpp"

namespace misim::scenario {

/// Thrown inside the loader to abandon a load at the first error; caught at its boundary and
/// returned as a value, so it never escapes sim/scenario.
struct LoadAbort {
  Error error;
};

/// The tag the loader gives every node of a scenario that `extends` another, naming the file the
/// node was read from: `!misim-origin:K` (K indexes Document's files), or `!misim-origin:K:LINE:COL`
/// for a mapping merged from two files, which has no place of its own. A node's YAML tag is the one
/// piece of per-node state yaml-cpp lets a reader set; the loader does not otherwise use tags.
inline constexpr std::string_view kOriginTag = "!misim-origin:";

/// The file being read and its params: the context every typed read needs. A scenario that
/// `extends` another is read from several files; each node's place names the file it came from.
class Document {
 public:
  Document(std::string file, const std::vector<Param>* params) : files_{std::move(file)}, params_(params) {}
  /// `files[0]` is the scenario named on the command line, the others the files it extends.
  Document(std::vector<std::string> files, const std::vector<Param>* params)
      : files_(std::move(files)), params_(params) {}

  /// The scenario's own file (the first of those read).
  [[nodiscard]] const std::string& file() const noexcept { return files_.front(); }
  [[nodiscard]] const std::vector<std::string>& files() const noexcept { return files_; }
  [[nodiscard]] SourcePlace place(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& at, std::string message) const;
  [[noreturn]] void fail(const SourcePlace& at, std::string message) const;

  /// The scalar's text with `${param}` references substituted.
  [[nodiscard]] std::string scalar(const YAML::Node& node, std::string_view what) const;
  [[nodiscard]] std::string string(const YAML::Node& node, std::string_view what) const { return scalar(node, what); }
  [[nodiscard]] std::int64_t integer(const YAML::Node& node, std::string_view what, std::int64_t min,
                                     std::int64_t max) const;
  [[nodiscard]] double number(const YAML::Node& node, std::string_view what, double min, double max) const;
  [[nodiscard]] SimTime duration(const YAML::Node& node, std::string_view what) const;
  [[nodiscard]] Rate rate(const YAML::Node& node, std::string_view what) const;
  [[nodiscard]] bool boolean(const YAML::Node& node, std::string_view what) const;
  /// One of `choices`, with a suggestion for a near miss.
  [[nodiscard]] std::string choice(const YAML::Node& node, std::string_view what,
                                   const std::vector<std::string_view>& choices) const;

 private:
  std::vector<std::string> files_;
  const std::vector<Param>* params_;
};

/// A YAML mapping whose keys are checked against the allowed set (a section of language.hpp):
/// unknown keys (with a suggestion) and duplicate keys are errors.
class MapReader {
 public:
  MapReader(const Document& doc, const YAML::Node& node, std::string what,
            const std::vector<std::string_view>& allowed);

  [[nodiscard]] bool has(std::string_view key) const;
  /// The value of `key`, or an undefined node when absent.
  [[nodiscard]] YAML::Node get(std::string_view key) const;
  /// The value of `key`; an error naming the key when absent.
  [[nodiscard]] YAML::Node require(std::string_view key) const;
  [[nodiscard]] const YAML::Node& node() const noexcept { return node_; }
  [[nodiscard]] const std::string& what() const noexcept { return what_; }

 private:
  const Document& doc_;
  YAML::Node node_;
  std::string what_;
};

/// Requires a sequence node.
void require_sequence(const Document& doc, const YAML::Node& node, std::string_view what);

}  // namespace misim::scenario
