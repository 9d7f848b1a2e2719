// The calendar queue's moves between windows and spans, and its rebuilds. See
// include/misim/calendar_queue.hpp.
#include "misim/calendar_queue.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace misim {

namespace {

// std's heap functions build max-heaps: ordering by "later" makes the earliest event the front. A
// function object, not a function, so that the heap operations inline it.
constexpr auto later = [](const QueuedEvent& a, const QueuedEvent& b) noexcept { return earlier(b, a); };

// A calendar's near heap holding more than 1/kNearShareToReshape of its events has it reshaped.
constexpr std::size_t kNearShareToReshape = 32;
// Below this many waiting events a rebuild is not worth its pass over them.
constexpr std::size_t kMinEventsToRebuild = 64;
constexpr std::size_t kMinSpans = 2;
constexpr std::size_t kMaxSpans = 4096;  // their buckets' tails, 4096 blocks, stay in the L2 cache
// The horizon covers this many times the mean time an event waits (Little's law), so that few
// events are pushed beyond it: for exponential waits, e^-4 = 2% of them.
constexpr double kHorizonInMeanWaits = 4.0;
// The widest window, and the bound on log2(spans) + kFineBits + shift that keeps the horizon
// inside SimTime.
constexpr int kMaxShift = 40;
constexpr int kHorizonBits = 61;
constexpr int kInitialShift = 20;  // about a millisecond, until the run's rate is known

SimTime saturating_add(SimTime a, SimTime b) noexcept {
  SimTime sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? kForever : sum;
}

SimTime align_down(SimTime t, int bits) noexcept { return t & ~((SimTime{1} << bits) - 1); }

}  // namespace

CalendarQueue::CalendarQueue()
    : fine_(kFineBuckets), coarse_(kMinSpans), shift_(kInitialShift), coarse_mask_(kMinSpans - 1) {
  staged_.reserve(kStagedEvents);
  // Small: every event goes to the near heap, as if the window were endless.
  window_end_ = span_end_ = horizon_ = kForever;
}

void CalendarQueue::near_heap_grew() {
  // A small queue is the near heap alone: past kCalendarFrom events it becomes a calendar. A
  // calendar whose near heap holds a fair part of the queue has a window meant for
  // kTargetPerWindow events that was shaped for another rate: at a run's start, the first events
  // scheduled can make the first window span minutes, and every event of those minutes then went
  // through a heap of millions (docs/performance.md, "Session 7"). Reshaping costs a pass over the
  // queue, paid for by the size_ / kNearShareToReshape pushes since the last one. A window of one
  // nanosecond holds events of one time, which no shape spreads (a run's first events are often
  // all at its start).
  if (calendar_ && (shift_ == 0 || near_.size() * kNearShareToReshape < size_)) return;
  calendar_ = true;
  // Either way the shape comes from the waiting events, not from a measured rate: a heap measured
  // no windows, and a calendar's measured rate is what shaped the window that proved too wide.
  // Then the earliest window is taken, as next_window does after a rebuild.
  taken_ = 0;
  rebuild();
  take_window();
}

void CalendarQueue::add_block(Bucket& bucket) {
  if (free_block_ == kNoBlock) {
    const auto base = static_cast<std::uint32_t>(chunks_.size() << kChunkBits);
    chunks_.push_back(std::make_unique<Block[]>(std::size_t{1} << kChunkBits));
    links_.resize(links_.size() + (std::size_t{1} << kChunkBits));
    for (std::uint32_t i = 0; i < (1U << kChunkBits); ++i) {
      link(base + i) = i + 1 < (1U << kChunkBits) ? base + i + 1 : kNoBlock;
    }
    free_block_ = base;
  }
  const std::uint32_t b = free_block_;
  free_block_ = link(b);
  link(b) = kNoBlock;
  // The next block a bucket takes is written line by line as events arrive: fetched now, those
  // writes find it in cache.
  if (free_block_ != kNoBlock) prefetch_block</*kForWrite=*/true>(free_block_);
  if (bucket.tail == kNoBlock) {
    bucket.head = b;
  } else {
    link(bucket.tail) = b;
  }
  bucket.tail = b;
  bucket.tail_count = 0;
}

void CalendarQueue::file_staged() {
  // A bucket tail's address is known kPrefetchAhead appends ahead; a tail that moves on meanwhile
  // (its block filled) costs a wasted prefetch. Reading the bucket itself hits: the buckets are a few
  // kilobytes.
  constexpr std::size_t kPrefetchAhead = 32;
  const auto prefetch_tail = [this](const QueuedEvent& e) {
    const Bucket& bucket = coarse_[coarse_index(e.time)];
    if (bucket.tail != kNoBlock) __builtin_prefetch(&block(bucket.tail).events[bucket.tail_count], 1);
  };
  const std::size_t n = staged_.size();
  for (std::size_t i = 0; i < std::min(n, kPrefetchAhead); ++i) prefetch_tail(staged_[i]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) prefetch_tail(staged_[i + kPrefetchAhead]);
    append(coarse_[coarse_index(staged_[i].time)], staged_[i]);
  }
  staged_.clear();
}

void CalendarQueue::release_from(std::uint32_t first) noexcept {
  while (first != kNoBlock) {
    const std::uint32_t next = link(first);
    link(first) = free_block_;
    free_block_ = first;
    first = next;
  }
}

void CalendarQueue::sift_down_near(const QueuedEvent& last, std::size_t size) noexcept {
  // (time, sequence) as one unsigned 128-bit key: times are never negative, so the order is kept.
  __extension__ using Key = unsigned __int128;
  const auto less = [](const QueuedEvent& a, const QueuedEvent& b) {
    const auto key = [](const QueuedEvent& e) {
      return (static_cast<Key>(static_cast<std::uint64_t>(e.time)) << 64) | e.sequence;
    };
    return key(a) < key(b);
  };
  QueuedEvent* const heap = near_.data();
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first = hole * kArity + 1;
    if (first >= size) break;
    std::size_t best = first;
    if (first + kArity <= size) {
      static_assert(kArity == 4, "the branch-free choice below is written for four children");
      const std::size_t low = less(heap[first + 1], heap[first]) ? first + 1 : first;
      const std::size_t high = less(heap[first + 3], heap[first + 2]) ? first + 3 : first + 2;
      best = less(heap[high], heap[low]) ? high : low;
    } else {
      for (std::size_t c = first + 1; c < size; ++c) {
        if (less(heap[c], heap[best])) best = c;
      }
    }
    if (!less(heap[best], last)) break;
    heap[hole] = heap[best];
    hole = best;
  }
  heap[hole] = last;
}

void CalendarQueue::push_far(const QueuedEvent& e) {
  far_.push_back(e);
  std::push_heap(far_.begin(), far_.end(), later);
}

void CalendarQueue::restore_heaps() {
  // Entries sorted by (time, sequence) form a valid 4-ary heap: every parent precedes its children.
  std::sort(near_.begin(), near_.end(), [](const QueuedEvent& a, const QueuedEvent& b) { return earlier(a, b); });
  std::make_heap(far_.begin(), far_.end(), later);
}

void CalendarQueue::set_window(SimTime start) {
  window_start_ = start;
  window_end_ = saturating_add(start, SimTime{1} << shift_);
}

void CalendarQueue::enter_span(SimTime start) {
  file_staged();  // the span's bucket, spread below, may have events staged
  span_start_ = start;
  span_end_ = saturating_add(start, SimTime{1} << (shift_ + kFineBits));
  horizon_ = saturating_add(start, static_cast<SimTime>(coarse_.size()) << (shift_ + kFineBits));
  set_window(start);
  // Far events now inside the horizon: into the span bucket that the last span freed, or straight
  // into the fine buckets when the queue jumped to the far events' span.
  while (!far_.empty() && before(far_.front().time, horizon_)) {
    const QueuedEvent e = far_.front();
    std::pop_heap(far_.begin(), far_.end(), later);
    far_.pop_back();
    file(e);
  }
  const std::size_t spread =
      drain(coarse_[coarse_index(start)], [this](const QueuedEvent& e) { append(fine_[fine_index(e.time)], e); });
  in_coarse_ -= spread;
  in_fine_ += spread;
}

bool CalendarQueue::take_window() {
  Bucket& bucket = fine_[fine_index(window_start_)];
  if (bucket.head == kNoBlock) return false;
  // What the run already holds comes before this window: only the window's events are sorted.
  const auto first = static_cast<std::ptrdiff_t>(run_.size());
  in_fine_ -= drain(bucket, [this](const QueuedEvent& e) { run_.push_back(e); });
  // The next window's events were spread a span ago, out of cache since: fetched while this
  // window's run is taken, they are there when it comes up.
  if (in_fine_ > 0) prefetch_chain(fine_[fine_index(window_end_)].head);
  std::sort(run_.begin() + first, run_.end(), [](const QueuedEvent& a, const QueuedEvent& b) { return earlier(a, b); });
  return true;
}

void CalendarQueue::next_window() {
  // The current window is exhausted (run_ taken, near_ empty) and events remain.
  run_.clear();
  run_pos_ = 0;
  advance_window();
}

void CalendarQueue::extend_run() {
  // The events still to take move to the front; the near heap keeps what it holds, as it is
  // compared with the run's front at every take.
  run_.erase(run_.begin(), run_.begin() + static_cast<std::ptrdiff_t>(run_pos_));
  run_pos_ = 0;
  do {
    advance_window();
  } while (run_.size() < kLookAhead && in_fine_ + in_coarse_ + far_.size() > 0);
}

void CalendarQueue::advance_window() {
  if (rebuild_due()) {
    rebuild();  // makes the earliest event's window current
    if (take_window()) return;
  }
  for (;;) {
    ++windows_;
    if (in_fine_ > 0) {
      set_window(window_end_);  // a later window of this span holds events
    } else {
      // The span is done: the next one, or with nothing before the horizon, the far events' span.
      enter_span(in_coarse_ > 0 ? span_end_ : align_down(far_.front().time, shift_ + kFineBits));
    }
    if (take_window()) return;
  }
}

bool CalendarQueue::rebuild_due() const noexcept {
  const std::size_t waiting = in_fine_ + in_coarse_ + far_.size();
  if (waiting < kMinEventsToRebuild) return false;
  // Nothing taken since the last rebuild, but pushes since have gone mostly far (everything was
  // pushed before the first pop, beyond a horizon shaped for the first few). Without new far
  // events a rebuild would find the shape it made.
  if (taken_ == 0 && windows_ == 0) return far_.size() > waiting / 2 && far_.size() > far_after_rebuild_;
  // Windows far too narrow: stepping through empty ones costs more than the events. A rebuild
  // after a quarter of the waiting count of steps costs O(1) amortised per step.
  const std::uint64_t quarter = std::max<std::uint64_t>(4096, waiting / 4);
  if (windows_ >= quarter && windows_ > 16 * taken_) return true;
  // Otherwise only after taking a quarter of the waiting events since the last rebuild.
  if (taken_ < quarter) return false;
  if (far_.size() > waiting / 4) return true;
  // Windows far too wide: each sorted run is long.
  return taken_ > 4 * kTargetPerWindow * std::max<std::uint64_t>(windows_, 1);
}

std::vector<QueuedEvent> CalendarQueue::take_waiting() {
  std::vector<QueuedEvent> waiting;
  waiting.reserve(size_);
  const auto take = [&waiting](const QueuedEvent& e) { waiting.push_back(e); };
  for (Bucket& b : fine_) drain(b, take);
  for (Bucket& b : coarse_) drain(b, take);
  waiting.insert(waiting.end(), staged_.begin(), staged_.end());
  staged_.clear();
  waiting.insert(waiting.end(), far_.begin(), far_.end());
  far_.clear();
  waiting.insert(waiting.end(), run_.begin() + static_cast<std::ptrdiff_t>(run_pos_), run_.end());
  run_.clear();  // both keep their storage for the windows to come
  run_pos_ = 0;
  waiting.insert(waiting.end(), near_.begin(), near_.end());
  near_.clear();
  in_fine_ = 0;
  in_coarse_ = 0;
  return waiting;
}

void CalendarQueue::rebuild() {
  std::vector<QueuedEvent> waiting = take_waiting();

  // The event rate: measured since the last rebuild when enough events were taken, else estimated
  // from the earlier half of the waiting events (for exponential waits, 0.7 of the rate; the
  // earliest few can be a dense cluster of short delays, far from the run's rate).
  double per_ns = 0.0;
  const SimTime elapsed = last_taken_ - measured_from_;
  if (taken_ >= 4 * kTargetPerWindow && elapsed > 0) {
    per_ns = static_cast<double>(taken_) / static_cast<double>(elapsed);
  } else {
    const std::size_t k = std::max<std::size_t>(1, waiting.size() / 2);
    const auto by_time = [](const QueuedEvent& a, const QueuedEvent& b) { return a.time < b.time; };
    std::nth_element(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(k), waiting.end(), by_time);
    const SimTime kth = waiting[k].time;
    const SimTime first =
        std::min_element(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(k), by_time)->time;
    per_ns = static_cast<double>(k) / static_cast<double>(std::max<SimTime>(kth - first, 1));
  }
  const double width = static_cast<double>(kTargetPerWindow) / per_ns;
  shift_ = std::clamp(static_cast<int>(std::floor(std::log2(std::max(width, 1.0)))), 0, kMaxShift);
  // Little's law: the mean wait is waiting / rate.
  const double mean_wait = static_cast<double>(waiting.size()) / per_ns;
  const double span_width = std::ldexp(1.0, shift_ + kFineBits);
  const auto wanted =
      static_cast<std::size_t>(std::min(kHorizonInMeanWaits * mean_wait / span_width, static_cast<double>(kMaxSpans)));
  std::size_t spans = std::clamp(std::bit_ceil(std::max<std::size_t>(wanted, 1)), kMinSpans, kMaxSpans);
  while (spans > kMinSpans && std::bit_width(spans - 1) + shift_ + kFineBits > kHorizonBits) spans /= 2;
  coarse_.assign(spans, Bucket{});
  coarse_mask_ = spans - 1;

  SimTime earliest = kForever;
  for (const QueuedEvent& e : waiting) earliest = std::min(earliest, e.time);
  span_start_ = align_down(earliest, shift_ + kFineBits);
  span_end_ = saturating_add(span_start_, SimTime{1} << (shift_ + kFineBits));
  horizon_ = saturating_add(span_start_, static_cast<SimTime>(spans) << (shift_ + kFineBits));
  set_window(align_down(earliest, shift_));
  for (const QueuedEvent& e : waiting) file(e);
  std::make_heap(far_.begin(), far_.end(), later);
  taken_ = 0;
  windows_ = 0;
  measured_from_ = window_start_;
  far_after_rebuild_ = far_.size();
}

}  // namespace misim
