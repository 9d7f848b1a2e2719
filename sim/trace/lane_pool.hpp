// LanePool: the lanes (Chrome thread ids) of one group of tracks, so that slices on one lane
// nest or are disjoint, as the trace-event format requires of complete ("X") events on a thread.
//
// A lane is lent from the moment a span begins until release() says when it ended; it is lent
// again only to a span that begins no earlier than that. Spans are released in the order the
// model emitted them, which is the order of their ends, so a lane's last release is the latest
// end of everything on it. The pool grows to the most spans that overlapped at one moment, never
// with the number of spans.
//
//   LanePool lanes;
//   const LanePool::Lane lane = lanes.acquire(visit.begin);
//   write_slice(lane.index, visit.begin, visit.time);
//   lanes.release(lane.index, visit.time);
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "misim/time.hpp"

namespace misim {

class LanePool {
 public:
  struct Lane {
    std::uint32_t index;
    bool created;  // a new lane: its track needs a name
  };

  /// A lane free at `begin`: the one free for longest if any is, else a new one.
  Lane acquire(SimTime begin) {
    if (!free_.empty() && free_.front().from <= begin) {
      std::pop_heap(free_.begin(), free_.end(), std::greater<>());
      const std::uint32_t lane = free_.back().lane;
      free_.pop_back();
      return {lane, false};
    }
    return {count_++, true};
  }
  /// The span on `lane` ended at `end`.
  void release(std::uint32_t lane, SimTime end) {
    free_.push_back(Free{end, lane});
    std::push_heap(free_.begin(), free_.end(), std::greater<>());
  }
  /// Lanes made so far (each becomes a track).
  [[nodiscard]] std::uint32_t size() const noexcept { return count_; }

 private:
  struct Free {
    SimTime from;
    std::uint32_t lane;
    friend bool operator>(const Free& a, const Free& b) noexcept {
      return a.from != b.from ? a.from > b.from : a.lane > b.lane;
    }
  };
  std::vector<Free> free_;  // a min-heap: the lane free for longest on top
  std::uint32_t count_ = 0;
};

}  // namespace misim
