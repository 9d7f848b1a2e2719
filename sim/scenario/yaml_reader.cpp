#include "yaml_reader.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "suggest.hpp"

namespace misim::scenario {

namespace {

std::string shown(std::string_view text) {
  constexpr std::size_t kMax = 60;
  if (text.size() > kMax) return "'" + std::string(text.substr(0, kMax)) + "...'";
  return "'" + std::string(text) + "'";
}

const char* kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "something else";
}

}  // namespace

SourcePlace Document::place(const YAML::Node& node) const {
  SourcePlace p{files_.front(), 0, 0};
  if (!node.IsDefined()) return p;
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) {
    p.line = mark.line + 1;
    p.column = mark.column + 1;
  }
  if (files_.size() > 1) {
    // `!misim-origin:K` or `!misim-origin:K:LINE:COL` (kOriginTag says why tags).
    const std::string& tag = node.Tag();
    if (tag.size() > kOriginTag.size() && tag.compare(0, kOriginTag.size(), kOriginTag) == 0) {
      int fields[3] = {0, 0, 0};
      int count = 0;
      const char* at = tag.data() + kOriginTag.size();
      const char* end = tag.data() + tag.size();
      while (count < 3 && at < end) {
        const auto [next, ec] = std::from_chars(at, end, fields[count]);
        if (ec != std::errc()) break;
        ++count;
        at = next < end && *next == ':' ? next + 1 : next;
      }
      if (count >= 1 && fields[0] >= 0 && static_cast<std::size_t>(fields[0]) < files_.size())
        p.file = files_[static_cast<std::size_t>(fields[0])];
      if (count == 3) {
        p.line = fields[1];
        p.column = fields[2];
      }
    }
  }
  return p;
}

void Document::fail(const YAML::Node& at, std::string message) const { fail(place(at), std::move(message)); }

void Document::fail(const SourcePlace& at, std::string message) const {
  throw LoadAbort{Error{std::move(message), at}};
}

std::string Document::scalar(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) fail(node, std::string(what) + " must be a single value, not " + kind_name(node));
  const std::string& raw = node.Scalar();
  // References arrive as `$<name>`: the loader rewrote `${name}` so that YAML flow mappings parse.
  if (raw.find("$<") == std::string::npos) return raw;
  std::string out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t open = raw.find("$<", pos);
    if (open == std::string::npos) {
      out.append(raw, pos, std::string::npos);
      break;
    }
    out.append(raw, pos, open - pos);
    const std::size_t close = raw.find('>', open + 2);
    if (close == std::string::npos) fail(node, "unterminated '$<' in " + std::string(what) + ": write ${name}");
    const std::string name = raw.substr(open + 2, close - open - 2);
    const Param* found = nullptr;
    std::vector<std::string_view> names;
    for (const Param& p : *params_) {
      names.push_back(p.name);
      if (p.name == name) found = &p;
    }
    if (found == nullptr) {
      fail(node, "unknown param '" + name + "' in " + std::string(what) + did_you_mean(name, names) +
                     (names.empty() ? "; the scenario defines no params" : "; define it under 'params:'"));
    }
    out += found->value;
    pos = close + 1;
  }
  return out;
}

std::int64_t Document::integer(const YAML::Node& node, std::string_view what, std::int64_t min,
                               std::int64_t max) const {
  const std::string text = scalar(node, what);
  const std::string range = " from " + std::to_string(min) + " to " + std::to_string(max);
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    // Accept integral numbers written in floating form, such as 1e6.
    double d = 0;
    auto [dptr, dec] = std::from_chars(text.data(), end, d);
    if (dec != std::errc() || dptr != end || !std::isfinite(d) || d != std::floor(d)) {
      fail(node, std::string(what) + " must be a whole number" + range + ", got " + shown(text));
    }
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
      fail(node, std::string(what) + " must be" + range + ", got " + shown(text));
    }
    value = static_cast<std::int64_t>(d);
  }
  if (value < min || value > max) fail(node, std::string(what) + " must be" + range + ", got " + shown(text));
  return value;
}

double Document::number(const YAML::Node& node, std::string_view what, double min, double max) const {
  const std::string text = scalar(node, what);
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  // YAML writes infinity and not-a-number as .inf and .nan, which from_chars does not read.
  std::string word;
  for (char c : text) {
    if (c != '+' && c != '-' && c != '.') word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const bool not_finite = word == "inf" || word == "infinity" || word == "nan";
  if (!not_finite && (ec != std::errc() || ptr != end))
    fail(node, std::string(what) + " must be a number, got " + shown(text));
  if (not_finite || !std::isfinite(value))
    fail(node, std::string(what) + " must be a finite number, got " + shown(text));
  if (value < min || value > max) {
    char buf[128];
    std::snprintf(buf, sizeof buf, " must be from %g to %g, got ", min, max);
    fail(node, std::string(what) + buf + shown(text));
  }
  return value;
}

SimTime Document::duration(const YAML::Node& node, std::string_view what) const {
  const std::string text = scalar(node, what);
  Result<SimTime> d = parse_duration(text);
  if (!d) fail(node, std::string(what) + ": " + d.error().message);
  return *d;
}

Rate Document::rate(const YAML::Node& node, std::string_view what) const {
  const std::string text = scalar(node, what);
  Result<Rate> r = parse_rate(text);
  if (!r) fail(node, std::string(what) + ": " + r.error().message);
  return *r;
}

bool Document::boolean(const YAML::Node& node, std::string_view what) const {
  const std::string text = scalar(node, what);
  if (text == "true") return true;
  if (text == "false") return false;
  fail(node, std::string(what) + " must be true or false, got " + shown(text));
}

std::string Document::choice(const YAML::Node& node, std::string_view what,
                             const std::vector<std::string_view>& choices) const {
  std::string text = scalar(node, what);
  for (std::string_view c : choices) {
    if (c == text) return text;
  }
  fail(node,
       std::string(what) + " must be " + quoted_list(choices) + ", got " + shown(text) + did_you_mean(text, choices));
}

MapReader::MapReader(const Document& doc, const YAML::Node& node, std::string what,
                     const std::vector<std::string_view>& allowed)
    : doc_(doc), node_(node), what_(std::move(what)) {
  if (!node_.IsMap()) doc_.fail(node_, what_ + " must be a mapping of keys to values, not " + kind_name(node_));
  std::set<std::string, std::less<>> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    // A copy: `it->first` lives in a proxy that dies with the full expression (ASan: stack-use-after-scope).
    const YAML::Node key_node = it->first;
    if (!key_node.IsScalar()) doc_.fail(key_node, "keys in " + what_ + " must be plain words");
    const std::string& key = key_node.Scalar();
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) {
      doc_.fail(key_node, "unknown key " + shown(key) + " in " + what_ + did_you_mean(key, allowed) + "; expected " +
                              quoted_list(allowed));
    }
    if (!seen.insert(key).second) doc_.fail(key_node, "duplicate key " + shown(key) + " in " + what_);
  }
}

bool MapReader::has(std::string_view key) const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return true;
  }
  return false;
}

YAML::Node MapReader::get(std::string_view key) const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::require(std::string_view key) const {
  if (!has(key)) doc_.fail(node_, "missing required key '" + std::string(key) + "' in " + what_);
  return get(key);
}

void require_sequence(const Document& doc, const YAML::Node& node, std::string_view what) {
  if (!node.IsSequence()) doc.fail(node, std::string(what) + " must be a list, not " + kind_name(node));
}

}  // namespace misim::scenario
