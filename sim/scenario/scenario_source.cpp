#include "scenario_source.hpp"

#include <xxhash.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

namespace misim::scenario {

namespace {

namespace fs = std::filesystem;

// ---- the text before yaml-cpp sees it -------------------------------------------------------------

/// Line and column (from 1, in bytes as yaml-cpp counts them) of a byte offset.
SourcePlace place_of(const std::string& text, std::size_t offset, const std::string& file) {
  offset = std::min(offset, text.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return SourcePlace{file, line, static_cast<int>(offset - line_start) + 1};
}

[[noreturn]] void fail_at(const std::string& text, std::size_t offset, const std::string& file, std::string message) {
  throw LoadAbort{Error{std::move(message), place_of(text, offset, file)}};
}

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

/// The length of the UTF-8 sequence starting at `i`, or 0 when it is not valid UTF-8.
std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  std::size_t n = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  if (c >= 0xE0 && c <= 0xEF) n = 3;
  if (c >= 0xF0 && c <= 0xF4) n = 4;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms and surrogates (RFC 3629).
  if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (c == 0xED && byte(i + 1) > 0x9F) return 0;
  if (c == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (c == 0xF4 && byte(i + 1) > 0x8F) return 0;
  return n;
}

/// Refuses bytes no scenario holds: control characters and malformed UTF-8 mean a binary file or
/// the wrong file, and yaml-cpp would echo them into its message.
void check_bytes(const std::string& text, const std::string& file) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      fail_at(text, i, file,
              "the file holds the control byte " + hex_byte(c) +
                  " here; a scenario is YAML text (UTF-8): is this the right file?");
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      fail_at(
          text, i, file,
          "the byte " + hex_byte(c) + " here is not UTF-8; a scenario is YAML text in UTF-8: is this the right file?");
    }
    i += n;
  }
}

/// Refuses collections nested deeper than kMaxNesting, counting `[`/`{` that open a flow
/// collection and the indentation levels of block collections, and documents of more than
/// kMaxValues values, counting the marks that make one (`,` `[` `{` `- ` `: `). It reads YAML only
/// as far as it must (comments, quoted strings, block scalars); a miscount is harmless, yaml-cpp
/// still refuses what is too deep: this gives a place and a clear message first, in one pass.
void check_shape(const std::string& text, const std::string& file) {
  int flow = 0;
  std::size_t values = 0;
  const auto count_value = [&](std::size_t at) {
    if (++values <= kMaxValues) return;
    fail_at(text, at, file,
            "the document holds more than " + std::to_string(kMaxValues) +
                " values; describe a large estate with 'count:' templates rather than one entry per resource");
  };
  std::vector<std::size_t> indents;  // of the open block collections
  std::size_t block_scalar_indent = std::string::npos;
  std::size_t i = 0;
  const auto too_deep = [&](std::size_t at) {
    fail_at(text, at, file,
            "the document nests collections more than " + std::to_string(kMaxNesting) +
                " levels deep here; a scenario needs six at most");
  };
  while (i < text.size()) {
    // A line: its indentation, then its content up to the newline.
    std::size_t indent = 0;
    while (i + indent < text.size() && text[i + indent] == ' ') ++indent;
    std::size_t at = i + indent;
    const bool blank = at >= text.size() || text[at] == '\n' || text[at] == '\r' || text[at] == '#';
    if (block_scalar_indent != std::string::npos) {
      if (blank || indent > block_scalar_indent) {  // a line of a `|` or `>` block: text, not YAML
        while (i < text.size() && text[i] != '\n') ++i;
        ++i;
        continue;
      }
      block_scalar_indent = std::string::npos;
    }
    if (!blank && flow == 0) {
      while (!indents.empty() && indents.back() >= indent) indents.pop_back();
      indents.push_back(indent);
      // `- - - x` nests a sequence per dash on one line.
      while (at + 1 < text.size() && text[at] == '-' && text[at + 1] == ' ') {
        count_value(at);
        indents.push_back(at - i + 1);
        at += 2;
        while (at < text.size() && text[at] == ' ') ++at;
      }
      if (static_cast<int>(indents.size()) + flow > kMaxNesting) too_deep(at);
    }
    const std::size_t line_indent = indent;
    char last = 0;  // the last character outside quotes and comments, for `key: |`
    bool scalar_start = true;
    while (at < text.size() && text[at] != '\n') {
      const char c = text[at];
      if (c == '#' && (at == i || text[at - 1] == ' ' || text[at - 1] == '\t')) {
        while (at < text.size() && text[at] != '\n') ++at;
        break;
      }
      if ((c == '"' || c == '\'') && scalar_start) {
        // A quoted string, possibly over several lines. An unclosed one is reported after parsing
        // (OriginWalk), where yaml-cpp has said what is a string.
        ++at;
        while (at < text.size()) {
          if (c == '"' && text[at] == '\\') {
            at += 2;
            continue;
          }
          if (text[at] == c) {
            if (c == '\'' && at + 1 < text.size() && text[at + 1] == '\'') {
              at += 2;
              continue;
            }
            break;
          }
          ++at;
        }
        ++at;
        last = c;
        scalar_start = false;
        continue;
      }
      if ((c == '[' || c == '{') && scalar_start) {
        count_value(at);
        if (++flow + static_cast<int>(indents.size()) > kMaxNesting) too_deep(at);
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      } else if ((c == ',' && flow > 0) ||
                 (c == ':' && (at + 1 >= text.size() || text[at + 1] == ' ' || text[at + 1] == '\n'))) {
        count_value(at);
      }
      if (c != ' ' && c != '\t' && c != '\r') last = c;
      scalar_start = c == ' ' || c == '\t' || c == '[' || c == '{' || c == ',' || (c == ':' && flow > 0) ||
                     (c == '-' && at == i + line_indent);
      ++at;
    }
    if (flow == 0 && (last == '|' || last == '>')) block_scalar_indent = line_indent;
    i = at + 1;
  }
}

// ---- parsing --------------------------------------------------------------------------------------

/// yaml-cpp's terse messages with what to change; the original follows in parentheses.
std::string explain_syntax_error(const std::string& message) {
  struct Hint {
    std::string_view yaml;
    std::string_view plain;
  };
  static constexpr Hint kHints[] = {
      {"end of map not found", "a key here is not indented like the keys of its mapping above; line them up"},
      {"end of map flow not found", "a '{' is not closed by a '}'"},
      {"end of sequence flow not found", "a '[' is not closed by a ']'"},
      {"end of sequence not found", "a list item here is not indented like the items above it"},
      {"illegal map value", "a ':' here where YAML does not expect a value (a key inside a plain value?)"},
      {"illegal flow end", "a ']' or '}' here closes nothing"},
      {"illegal block entry", "a '- ' list item here where a key was expected"},
      {"the referenced anchor is not defined", "an alias (*name) refers to an anchor (&name) not defined before it"},
      {"unknown escape character", "an unknown escape sequence in a double-quoted string (write \\\\ for \\)"},
  };
  for (const Hint& h : kHints) {
    if (message.rfind(h.yaml, 0) == 0) return std::string(h.plain) + " (YAML: " + message + ")";
  }
  return "YAML syntax: " + message;
}

/// A line before `line` (1-based) indented with a tab, which YAML forbids; yaml-cpp then reports
/// something else further on.
std::size_t tab_indented_line(const std::string& text, int line) {
  std::size_t start = 0;
  for (int l = 1; l <= line && start < text.size(); ++l) {
    std::size_t k = start;
    while (k < text.size() && text[k] == ' ') ++k;
    if (k < text.size() && text[k] == '\t') return k;
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return std::string::npos;
}

/// Records where each document starts and nothing else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

/// The first document, and where a second one starts if there is one.
struct FirstDocument {
  YAML::Node node;
  std::optional<YAML::Mark> second;
};

/// Not YAML::LoadAll: on some malformed inputs yaml-cpp 0.7's LoadAll yields empty documents
/// without end, allocating until memory runs out (found by fuzzing: the remains of a flow mapping
/// after a comment line). Asking the parser for two documents at most cannot loop.
FirstDocument first_document(const std::string& text) {
  FirstDocument doc{YAML::Load(text), std::nullopt};
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  for (int i = 0; i < 2 && parser.HandleNextDocument(starts); ++i) {
  }
  if (starts.marks.size() > 1) doc.second = starts.marks[1];
  return doc;
}

YAML::Node parse(const std::string& text, const std::string& file) {
  FirstDocument doc;
  try {
    doc = first_document(text);
  } catch (const YAML::DeepRecursion& e) {
    throw LoadAbort{Error{"the document nests collections more than " + std::to_string(e.depth()) +
                              " levels deep; a scenario needs six at most",
                          SourcePlace{file, e.mark.line + 1, e.mark.column + 1}}};
  } catch (const YAML::Exception& e) {
    if (const std::size_t tab = tab_indented_line(text, e.mark.line + 1); tab != std::string::npos) {
      fail_at(text, tab, file, "this line is indented with a tab; YAML indents with spaces only");
    }
    throw LoadAbort{Error{explain_syntax_error(e.msg), SourcePlace{file, e.mark.line + 1, e.mark.column + 1}}};
  }
  if (doc.second) {
    const YAML::Mark m = *doc.second;
    const bool marker = text.compare(static_cast<std::size_t>(std::max(m.pos, 0)), 3, "---") == 0;
    throw LoadAbort{Error{marker ? "a second YAML document starts here ('---'); a scenario file holds one"
                                 : "YAML cannot read on from here: this does not continue the document above "
                                   "(a stray ',', '}' or ']', or a line indented less than its list?)",
                          SourcePlace{file, std::max(m.line, 0) + 1, std::max(m.column, 0) + 1}}};
  }
  return doc.node;
}

/// Walks every node once and tags it with its file (kOriginTag). An alias shares its node, so a
/// node already tagged is not entered again: the walk is linear in the document, never in the
/// expansion of its aliases ("billion laughs" stays 100 nodes). On the way, a quoted string that
/// reaches the end of the file unclosed is an error: yaml-cpp 0.7 accepts it silently, swallowing
/// the rest of the file into the string.
class OriginWalk {
 public:
  OriginWalk(const std::string& text, const std::string& file, std::size_t index)
      : text_(text), file_(file), tag_(std::string(kOriginTag) + std::to_string(index)) {}

  void walk(YAML::Node node) {
    if (!node.IsDefined() || node.Tag() == tag_) return;
    if (node.IsScalar() && node.Tag() == "!") check_quote(node);
    node.SetTag(tag_);
    if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        walk(it->first);
        walk(it->second);
      }
    } else if (node.IsSequence()) {
      for (auto it = node.begin(); it != node.end(); ++it) walk(*it);
    }
  }

 private:
  void check_quote(const YAML::Node& node) const {
    const int pos = node.Mark().pos;
    if (pos < 0 || static_cast<std::size_t>(pos) >= text_.size()) return;
    const char q = text_[static_cast<std::size_t>(pos)];
    if (q != '"' && q != '\'') return;
    for (std::size_t k = static_cast<std::size_t>(pos) + 1; k < text_.size(); ++k) {
      if (q == '"' && text_[k] == '\\') {
        ++k;
      } else if (text_[k] == q) {
        if (q == '\'' && k + 1 < text_.size() && text_[k + 1] == '\'') {
          ++k;
          continue;
        }
        return;
      }
    }
    fail_at(text_, static_cast<std::size_t>(pos), file_,
            std::string("this quoted string is never closed: add the closing ") + q);
  }

  const std::string& text_;
  const std::string& file_;
  std::string tag_;
};

// ---- extends --------------------------------------------------------------------------------------

/// What merges key by key when a scenario extends another; every other value replaces the base's
/// (docs/scenarios.md, "Extending a scenario", says why).
enum class MergeLevel { kScenario, kServices, kTopology, kSettings, kReplace };

MergeLevel child_level(MergeLevel level, const std::string& key) {
  switch (level) {
    case MergeLevel::kScenario:
      if (key == "params") return MergeLevel::kSettings;
      if (key == "services") return MergeLevel::kServices;
      if (key == "topology") return MergeLevel::kTopology;
      return MergeLevel::kReplace;
    case MergeLevel::kServices:
      return MergeLevel::kSettings;  // each service's settings, by key
    case MergeLevel::kTopology:
      return key == "limits" ? MergeLevel::kSettings : MergeLevel::kReplace;
    case MergeLevel::kSettings:
    case MergeLevel::kReplace:
      break;
  }
  return MergeLevel::kReplace;
}

class Extender {
 public:
  ScenarioSource read(const std::string& text, const std::string& file) {
    source_.files.push_back(file);
    source_.hash = XXH3_64bits(text.data(), text.size());
    chain_.push_back(identity(file));
    source_.root = load(text, file, 0);
    return std::move(source_);
  }

 private:
  /// The parsed file, with what it extends merged in.
  YAML::Node load(const std::string& text, const std::string& file, std::size_t index) {
    check_bytes(text, file);
    check_shape(text, file);
    const std::string protected_text = protect_param_references(text);
    YAML::Node root = parse(protected_text, file);
    OriginWalk(protected_text, file, index).walk(root);
    const Document doc(source_.files, nullptr);
    if (index > 0 && !root.IsMap()) {
      doc.fail(SourcePlace{file, 1, 1}, std::string(root.IsDefined() && !root.IsNull() ? "" : "the file is empty; ") +
                                            "a scenario that is extended must be a mapping with keys such as name, "
                                            "duration, services");
    }
    if (root.IsMap()) {
      if (const YAML::Node extends = find_key(root, "extends"); extends.IsDefined())
        return merge(extend(doc, extends, file), root, MergeLevel::kScenario, index);
    }
    return root;
  }

  /// The base an `extends:` names, read and merged with its own bases.
  YAML::Node extend(const Document& doc, const YAML::Node& extends, const std::string& file) {
    if (!extends.IsScalar() || extends.Scalar().empty())
      doc.fail(extends, "'extends' must name one scenario file, e.g. extends: base.yaml");
    const std::string& name = extends.Scalar();
    if (name.find("$<") != std::string::npos)
      doc.fail(extends, "'extends' cannot use params: they are read after the files are merged");
    const fs::path base_path = fs::path(file).parent_path() / name;
    const std::string base = base_path.lexically_normal().string();
    const std::string key = identity(base);
    if (std::find(chain_.begin(), chain_.end(), key) != chain_.end()) {
      std::string cycle;
      const auto first = std::find(chain_.begin(), chain_.end(), key) - chain_.begin();
      for (std::size_t k = static_cast<std::size_t>(first); k < chain_.size(); ++k)
        cycle += shown(source_.files[k]) + " -> ";
      doc.fail(extends, "extends cycle: " + cycle + shown(base));
    }
    if (chain_.size() > static_cast<std::size_t>(kMaxExtendsDepth)) {
      doc.fail(extends, "'extends' goes more than " + std::to_string(kMaxExtendsDepth) + " files deep (" +
                            shown(source_.files.front()) + " -> ... -> " + shown(file) + " -> " + shown(base) +
                            "); a chain this long is most likely a mistake");
    }
    Result<std::string> text = read_scenario_file(base);
    if (!text) doc.fail(extends, "'extends: " + name + "': " + text.error().message + " (" + base + ")");
    const std::size_t index = source_.files.size();
    source_.files.push_back(base);
    source_.hash = XXH3_64bits_withSeed(text->data(), text->size(), source_.hash);
    chain_.push_back(key);
    return load(*text, base, index);
  }

  /// `child` over `base`: keys of both, the base's first in its order, then the child's new ones.
  /// At the levels MergeLevel names, mappings on both sides merge key by key; otherwise the
  /// child's value replaces the base's.
  YAML::Node merge(const YAML::Node& base, const YAML::Node& child, MergeLevel level, std::size_t index) {
    const Document doc(source_.files, nullptr);
    // Key -> (key node, value node), each key once: a map, so that merging two mappings of
    // thousands of keys stays n log n.
    using Entries = std::map<std::string, std::pair<YAML::Node, YAML::Node>, std::less<>>;
    const auto entries_of = [&doc](const YAML::Node& map) {
      Entries entries;
      for (auto it = map.begin(); it != map.end(); ++it) {
        if (!it->first.IsScalar()) doc.fail(it->first, "keys of a mapping must be plain words");
        if (!entries.emplace(it->first.Scalar(), std::pair{it->first, it->second}).second)
          doc.fail(it->first, "duplicate key '" + it->first.Scalar() + "' in this mapping");
      }
      return entries;
    };
    const Entries base_entries = entries_of(base);
    const Entries child_entries = entries_of(child);
    YAML::Node out(YAML::NodeType::Map);
    // yaml-cpp gives a new node a memory of its own and, at the first insertion from another
    // memory, copies that whole memory (every node of the document) into the new one: once per
    // merged service, quadratic in a large file. A const lookup merges the other way round, the
    // new node's memory into the document's, so nothing is copied afterwards.
    (void)std::as_const(child)[out];
    // A merged mapping is new and has no place of its own: it takes the child's (kOriginTag).
    const YAML::Mark m = child.Mark();
    out.SetTag(std::string(kOriginTag) + std::to_string(index) + ":" + std::to_string(m.line + 1) + ":" +
               std::to_string(m.column + 1));
    // force_insert appends the key and value nodes themselves (their places and tags kept) without
    // the linear search operator[] does; the keys are distinct by construction.
    for (auto it = base.begin(); it != base.end(); ++it) {
      const auto mine = child_entries.find(it->first.Scalar());
      if (mine == child_entries.end()) {
        out.force_insert(it->first, it->second);
        continue;
      }
      const auto& [key, value] = mine->second;
      const MergeLevel next = child_level(level, mine->first);
      out.force_insert(key, next != MergeLevel::kReplace && it->second.IsMap() && value.IsMap()
                                ? merge(it->second, value, next, index)
                                : value);
    }
    for (auto it = child.begin(); it != child.end(); ++it) {
      if (base_entries.count(it->first.Scalar()) == 0) out.force_insert(it->first, it->second);
    }
    return out;
  }

  static YAML::Node find_key(const YAML::Node& map, std::string_view key) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  /// A file as messages name it: relative to the scenario's folder, where most bases are.
  std::string shown(const std::string& path) const {
    const fs::path folder = fs::path(source_.files.front()).parent_path();
    const fs::path relative = fs::path(path).lexically_relative(folder);
    return relative.empty() ? path : relative.string();
  }

  /// The same file reached by two paths is one file: a cycle through `../x/a.yaml` is caught.
  static std::string identity(const std::string& path) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(path, ec);
    return ec ? fs::path(path).lexically_normal().string() : canonical.string();
  }

  ScenarioSource source_;
  std::vector<std::string> chain_;  // identities of the files being read, the scenario first
};

}  // namespace

std::string protect_param_references(const std::string& text) {
  std::string out = text;
  for (std::size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] != '$' || out[i + 1] != '{') continue;
    std::size_t j = i + 2;
    while (j < out.size() && (std::isalnum(static_cast<unsigned char>(out[j])) || out[j] == '_' || out[j] == '-')) ++j;
    if (j < out.size() && out[j] == '}' && j > i + 2) {
      out[i + 1] = '<';
      out[j] = '>';
      i = j;
    }
  }
  return out;
}

ScenarioSource read_scenario_source(const std::string& text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes) {
    throw LoadAbort{Error{"the file is " + std::to_string(text.size() / 1024) + " KiB; a scenario may be at most " +
                              std::to_string(kMaxScenarioBytes / 1024) + " KiB: is this the right file?",
                          SourcePlace{file, 1, 1}}};
  }
  return Extender().read(text, file);
}

Result<std::string> read_scenario_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Error{"this is a directory, not a scenario file", SourcePlace{path, 0, 0}};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open the scenario file", SourcePlace{path, 0, 0}};
  // Read at most one byte more than a scenario may hold, so a device such as /dev/zero or a
  // multi-gigabyte file is refused without reading it all.
  std::string text(kMaxScenarioBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return Error{"cannot read the scenario file", SourcePlace{path, 0, 0}};
  if (text.size() > kMaxScenarioBytes) {
    return Error{"the file is larger than " + std::to_string(kMaxScenarioBytes / 1024) +
                     " KiB, the most a scenario may be: is this the right file?",
                 SourcePlace{path, 1, 1}};
  }
  return text;
}

}  // namespace misim::scenario
