// Checks of Chrome trace-event JSON shared by the converter tests: complete ("X") events on one
// thread must nest or be disjoint, and of two that begin together the enclosing one must come
// first in the file (viewers nest events with equal starts by file order).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace misim::testing {

struct Slice {
  std::int64_t begin;  // ns
  std::int64_t end;
  std::string name;
  std::size_t position;  // in the file
};
using SlicesByThread = std::map<std::pair<int, int>, std::vector<Slice>>;

inline std::int64_t nanoseconds(const nlohmann::json& micros) { return std::llround(micros.get<double>() * 1000.0); }

inline void add_slice(SlicesByThread& threads, const nlohmann::json& e, std::size_t position, bool keep_name) {
  if (e["ph"] != "X") return;
  const std::int64_t begin = nanoseconds(e["ts"]);
  threads[{e["pid"].get<int>(), e["tid"].get<int>()}].push_back(
      Slice{begin, begin + nanoseconds(e["dur"]), keep_name ? e["name"].get<std::string>() : "", position});
}

/// Complete events by (pid, tid).
inline SlicesByThread slices_by_thread(const nlohmann::json& doc) {
  SlicesByThread threads;
  const nlohmann::json& events = doc["traceEvents"];
  for (std::size_t i = 0; i < events.size(); ++i) add_slice(threads, events[i], i, true);
  return threads;
}

/// Checks every thread's slices in O(n log n): sorted by begin (enclosing first), each must lie
/// inside the innermost slice still open, or after it.
inline void expect_nesting(SlicesByThread& threads) {
  for (auto& [thread, slices] : threads) {
    std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end != b.end ? a.end > b.end : a.position < b.position;
    });
    std::vector<const Slice*> open;
    for (const Slice& s : slices) {
      while (!open.empty() && open.back()->end <= s.begin) open.pop_back();
      if (open.empty()) {
        open.push_back(&s);
        continue;
      }
      const Slice& parent = *open.back();
      // The JSON numbers are microseconds read as doubles: 16 significant digits carry whole
      // nanoseconds only up to 2^53 ns (104 days), and each of ts and dur is rounded on its own, so
      // past ~52 days of simulated time an end may come out a nanosecond or two off. Viewers read
      // them the same way; allow that rounding, never more.
      const auto rounding = static_cast<std::int64_t>(std::ceil(std::ldexp(static_cast<double>(parent.end), -51)));
      ASSERT_LE(s.end, parent.end + rounding)
          << "pid " << thread.first << " tid " << thread.second << ": '" << s.name << "' [" << s.begin << ", " << s.end
          << ") overlaps '" << parent.name << "' [" << parent.begin << ", " << parent.end << ")";
      if (parent.begin == s.begin) {
        ASSERT_LT(parent.position, s.position)
            << "'" << parent.name << "' encloses '" << s.name << "' but comes after it in the file";
      }
      open.push_back(&s);
    }
  }
}

inline void expect_proper_nesting(const nlohmann::json& doc) {
  SlicesByThread threads = slices_by_thread(doc);
  expect_nesting(threads);
}

/// The same checks on a converted file too large to hold as a JSON document: the converter writes
/// one event a line, so each line is parsed alone and only the slices' times are kept. The lines
/// after the events must complete a valid JSON object.
inline void expect_proper_nesting_in_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line, "{\"traceEvents\":[");
  SlicesByThread threads;
  std::size_t position = 0;
  while (std::getline(in, line) && line.rfind("{\"ph\"", 0) == 0) {
    if (line.back() == ',') line.pop_back();
    add_slice(threads, nlohmann::json::parse(line), position++, false);
  }
  ASSERT_EQ(line, "],");
  std::string rest = "{";
  for (std::string l; std::getline(in, l);) rest += l;
  EXPECT_TRUE(nlohmann::json::parse(rest).contains("otherData"));
  expect_nesting(threads);
}

}  // namespace misim::testing
