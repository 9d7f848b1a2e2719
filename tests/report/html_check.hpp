// A small well-formedness check of report.html: every element opened is closed in order (SVG and
// HTML alike), void elements excepted; it reads tags, not text, which the report escapes.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace misim::testing {

/// Empty when the tags nest properly; else what is wrong and where.
inline std::string tag_nesting_error(std::string_view html) {
  static const std::set<std::string, std::less<>> kVoid = {"meta", "br", "hr", "img", "input", "link", "wbr"};
  std::vector<std::string> open;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      i = html.find("-->", i);
      if (i == std::string_view::npos) return "unclosed comment";
      continue;
    }
    if (html.compare(i, 2, "<!") == 0) {  // <!DOCTYPE html>
      i = html.find('>', i);
      continue;
    }
    const std::size_t end = html.find('>', i);
    if (end == std::string_view::npos) return "unclosed tag at " + std::to_string(i);
    std::string_view tag = html.substr(i + 1, end - i - 1);
    const bool closing = !tag.empty() && tag.front() == '/';
    if (closing) tag.remove_prefix(1);
    const bool self_closing = !tag.empty() && tag.back() == '/';
    const std::string name(tag.substr(0, tag.find_first_of(" \t\n/")));
    if (name.empty()) return "empty tag at " + std::to_string(i);
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> at " + std::to_string(i) + " closes <" + (open.empty() ? "" : open.back()) + ">";
      }
      open.pop_back();
    } else if (!self_closing && kVoid.find(name) == kVoid.end()) {
      open.push_back(name);
      if (name == "style") {  // CSS is not markup: skip to its end
        const std::size_t close = html.find("</style>", end);
        if (close == std::string_view::npos) return "unclosed <style>";
        i = close;
        continue;
      }
    }
    i = end + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> never closed (" + std::to_string(open.size()) + " open)";
  return {};
}

/// How many times `needle` occurs in `text`.
inline std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t i = text.find(needle); i != std::string_view::npos; i = text.find(needle, i + needle.size())) ++n;
  return n;
}

}  // namespace misim::testing
