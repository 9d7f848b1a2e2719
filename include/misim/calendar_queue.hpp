// CalendarQueue: the engine's set of pending events, ordered by (time, sequence).
//
// A calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue implementation for the
// simulation event set problem", CACM 31(10), 1988) with two rungs, as in the ladder queue (W. T.
// Tang, R. S. M. Goh, I. L.-J. Thng, "Ladder queue", ACM TOMACS 15(3), 2005):
//
//   window   2^shift ns: its events are sorted once, then taken in order (the run), plus a small
//            heap (near) for events scheduled into the window after it was sorted;
//   fine     kFineBuckets unsorted buckets, one per window of the current span;
//   coarse   unsorted buckets, one per span (kFineBuckets windows) up to the horizon;
//   far      a heap of the events beyond the horizon.
//
// An event is appended to the bucket of its window or span; when the windows of a span come up,
// the span's bucket is spread over the fine buckets, and when a window comes up its fine bucket
// is sorted. Every step touches memory in order or a few hundred bucket tails that stay in cache,
// where a heap of millions of events missed the cache at every level of every pop
// (docs/performance.md, "The pending-event set"). Taking events from a sorted run also lets the
// engine look a few events ahead and prefetch what they will touch.
//
// Buckets are lists of fixed blocks from one pool, so memory follows the events queued, not the
// largest each bucket ever held.
//
// The shape (window width, number of spans) adapts: when the events taken per window drift far
// from kTargetPerWindow, or too many events wait beyond the horizon, the queue is rebuilt with a
// width from the measured event rate and a horizon from Little's law (events waiting / event rate
// = the mean wait). When the near heap grows past a 32nd of the queue, the window was shaped for
// another rate (a run's first few events), and the queue is rebuilt from the waiting events'
// spacing. Events come out in exactly (time, sequence) order whatever the shape, so the
// shape changes a run's speed, never its results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "misim/time.hpp"

namespace misim {

/// One pending event, as the engine queues it.
/// A scheduled event (Engine::schedule_at) keeps its callable in an engine slot; a posted one
/// (Engine::post_at) is the whole of its entry: a handler and an argument.
struct QueuedEvent {
  SimTime time;
  std::uint64_t sequence;    // breaks ties: first scheduled, first run; the lowest bit marks a posted event
  std::uint32_t slot;        // scheduled: the engine's slot holding the callable; posted: the handler
  std::uint32_t generation;  // scheduled: the slot's generation; posted: the handler's argument
  const void* touches;       // memory the event will read first, or null
  [[nodiscard]] bool posted() const noexcept { return (sequence & 1U) != 0; }
};

[[nodiscard]] inline bool earlier(const QueuedEvent& a, const QueuedEvent& b) noexcept {
  return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
}

class CalendarQueue {
 public:
  CalendarQueue();

  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  void push(const QueuedEvent& e) {
    ++size_;
    if (before(e.time, window_end_)) {
      push_near(e);
      if (near_.size() >= kCalendarFrom) near_heap_grew();
    } else if (!file_before_horizon(e)) {
      push_far(e);
    }
  }

  /// The earliest event. The queue must not be empty. Not const: it may move to the next window.
  const QueuedEvent& top() {
    for (;;) {
      const bool has_run = run_pos_ < run_.size();
      if (!near_.empty() && (!has_run || earlier(near_.front(), run_[run_pos_]))) return near_.front();
      if (has_run) return run_[run_pos_];
      next_window();
    }
  }

  /// Takes the earliest event into `out` if it is not after `end`; false when there is none. The
  /// engine's loop: one decision where top() then pop() make two.
  bool take_until(SimTime end, QueuedEvent& out) {
    for (;;) {
      const bool has_run = run_pos_ < run_.size();
      if (!near_.empty() && (!has_run || earlier(near_.front(), run_[run_pos_]))) {
        if (near_.front().time > end) return false;
        out = near_.front();
        pop_near();
        --size_;
        ++taken_;
        last_taken_ = out.time;
        return true;
      }
      if (has_run) {
        if (run_[run_pos_].time > end) return false;
        out = run_[run_pos_++];
        --size_;
        ++taken_;
        last_taken_ = out.time;
        // Near the run's end the next window is sorted onto it, so that ahead(k) always sees k
        // events on and the engine's prefetches reach across windows.
        if (run_.size() - run_pos_ < kLookAhead && calendar_ && in_fine_ + in_coarse_ + far_.size() > 0) {
          extend_run();
        }
        return true;
      }
      if (size_ == 0) return false;
      next_window();
    }
  }

  /// Removes top(); call it right after top().
  void pop() {
    QueuedEvent taken{};
    take_until(kForever, taken);
  }

  /// How far ahead() sees: the run is kept at least this long while events wait beyond it.
  static constexpr std::size_t kLookAhead = 48;
  /// An event `k` places after the top of the current window's sorted run, or null: for prefetching.
  /// It is usually, not always, the event that will run k events from now (an event pushed
  /// meanwhile may come first). For k < kLookAhead it is null only when k or fewer events are
  /// queued besides those in the near heap.
  [[nodiscard]] const QueuedEvent* ahead(std::size_t k) const noexcept {
    return run_pos_ + k < run_.size() ? &run_[run_pos_ + k] : nullptr;
  }

  /// Removes every event for which dead(event) is true. O(size).
  template <class Dead>
  void remove_if(Dead dead);

  /// Calls f(event) for every queued event, in no particular order.
  template <class F>
  void for_each(F f) const;

  /// The shape now, for tests and docs: window width as a power of two of nanoseconds, spans.
  [[nodiscard]] int window_shift() const noexcept { return shift_; }
  [[nodiscard]] std::size_t span_count() const noexcept { return coarse_.size(); }

  /// Events taken per window that the queue aims at: enough that sorting a run and moving to the
  /// next window cost little per event, few enough that a run fits in the L1 cache (64 x 32 bytes).
  static constexpr std::size_t kTargetPerWindow = 64;
  /// Windows per span: the fine buckets' tails (256 blocks) stay in the L2 cache.
  static constexpr int kFineBits = 8;
  static constexpr std::size_t kFineBuckets = std::size_t{1} << kFineBits;

 private:
  static constexpr std::uint32_t kNoBlock = UINT32_MAX;
  // A block is 1 KiB, 16 whole cache lines: a block holds many events, so that spreading a span
  // follows few links (docs/performance.md, "Session 6"); the partly filled tails of a thousand or
  // so buckets cost about a megabyte. Every block of a bucket but its tail is full, and the
  // bucket, not the block, counts the tail's events: a push then writes the one line its event
  // goes to, where a count at the block's end was a second line, and a miss (docs/performance.md,
  // "Session 7"). The links between blocks are not in the blocks but in links_, a few hundred
  // kilobytes that stay in cache: a drain reads the chain blocks ahead of the one it spreads and
  // prefetches them, where links inside the blocks made every block one dependent miss
  // (docs/performance.md, "Session 8").
  static constexpr std::size_t kBlockEvents = 32;
  struct alignas(64) Block {
    QueuedEvent events[kBlockEvents];
  };
  static_assert(sizeof(Block) == 1024, "a block should be whole cache lines");
  /// How many blocks ahead of the one it spreads a drain prefetches.
  static constexpr int kBlocksAhead = 4;
  struct Bucket {
    std::uint32_t head = kNoBlock;
    std::uint32_t tail = kNoBlock;
    std::uint32_t tail_count = 0;  // events in the tail block
  };
  /// Events in block `b` of `bucket`: all blocks but the tail are full.
  [[nodiscard]] static std::uint32_t events_in(const Bucket& bucket, std::uint32_t b) noexcept {
    return b == bucket.tail ? bucket.tail_count : static_cast<std::uint32_t>(kBlockEvents);
  }
  static constexpr std::uint32_t kChunkBits = 10;  // blocks never move: a pool of fixed 1 MB chunks

  /// t lies before the bound; a bound that reached kForever (the sums saturate) takes kForever too.
  [[nodiscard]] static bool before(SimTime t, SimTime bound) noexcept { return t < bound || bound == kForever; }
  [[nodiscard]] std::size_t fine_index(SimTime t) const noexcept {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(t) >> shift_) & (kFineBuckets - 1);
  }
  [[nodiscard]] std::size_t coarse_index(SimTime t) const noexcept {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(t) >> (shift_ + kFineBits)) & coarse_mask_;
  }
  Block& block(std::uint32_t b) noexcept { return chunks_[b >> kChunkBits][b & ((1U << kChunkBits) - 1)]; }
  /// The block after `b` in its bucket or in the free list; kNoBlock after the last.
  std::uint32_t& link(std::uint32_t b) noexcept { return links_[b]; }
  [[nodiscard]] std::uint32_t link(std::uint32_t b) const noexcept { return links_[b]; }
  const Block& block(std::uint32_t b) const noexcept { return chunks_[b >> kChunkBits][b & ((1U << kChunkBits) - 1)]; }
  void append(Bucket& bucket, const QueuedEvent& e) {
    if (bucket.tail == kNoBlock || bucket.tail_count == kBlockEvents) add_block(bucket);
    block(bucket.tail).events[bucket.tail_count++] = e;
  }
  void add_block(Bucket& bucket);
  /// Starts loading block `b`'s lines, to read them or (kForWrite) to write them.
  template <bool kForWrite = false>
  void prefetch_block(std::uint32_t b) const noexcept {
    const char* const begin = reinterpret_cast<const char*>(&block(b));
    for (std::size_t offset = 0; offset < sizeof(Block); offset += 64) __builtin_prefetch(begin + offset, kForWrite);
  }
  /// Starts loading the first kBlocksAhead blocks of the chain from `b`; returns the link after
  /// the last one (kNoBlock when the chain was shorter).
  std::uint32_t prefetch_chain(std::uint32_t b) const noexcept {
    for (int k = 0; k < kBlocksAhead && b != kNoBlock; ++k, b = link(b)) prefetch_block(b);
    return b;
  }
  /// Calls f(event) for each event of the bucket in order, returns its blocks to the pool and
  /// empties it; returns how many events it held. f may append to other buckets.
  template <class F>
  std::size_t drain(Bucket& bucket, F f);
  template <class F>
  void for_each_in(const Bucket& bucket, F f) const;
  /// Drops the bucket's events for which dead(event) is true; returns how many are left.
  template <class Dead>
  std::size_t compact(Bucket& bucket, Dead dead);
  /// Returns the block `first` and those linked after it to the pool.
  void release_from(std::uint32_t first) noexcept;

  // The near heap is 4-ary, and chooses among children without branches: it is small (a few
  // events, or a whole small queue), and which child is smallest is a coin toss that a branch
  // mispredicts (docs/performance.md: 13-24% on the hold model while the heap was in cache).
  static constexpr std::size_t kArity = 4;
  void push_near(const QueuedEvent& e) {
    near_.push_back(e);
    QueuedEvent* const heap = near_.data();
    std::size_t hole = near_.size() - 1;
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / kArity;
      if (!earlier(e, heap[parent])) break;
      heap[hole] = heap[parent];
      hole = parent;
    }
    heap[hole] = e;
  }
  void pop_near() noexcept {
    const QueuedEvent last = near_.back();
    near_.pop_back();
    const std::size_t size = near_.size();
    if (size > 0) sift_down_near(last, size);
  }
  void sift_down_near(const QueuedEvent& last, std::size_t size) noexcept;
  /// A small queue is the near heap alone; past kCalendarFrom events it becomes a calendar.
  static constexpr std::size_t kCalendarFrom = 256;
  /// The near heap has kCalendarFrom events or more: a small queue becomes a calendar, and a
  /// calendar whose window proves far too wide for the events pushed into it is reshaped.
  void near_heap_grew();
  void push_far(const QueuedEvent& e);
  /// The current window is exhausted: moves to the next window holding events, rebuilding first
  /// when the shape no longer suits the run.
  void next_window();
  /// The run has fewer than kLookAhead events left: appends the next windows holding events to it
  /// until it has kLookAhead or none wait (their events come after the run's), and the window's
  /// end moves to the last one's end.
  void extend_run();
  /// Moves to the next window holding events and sorts them onto the run; some event must wait.
  void advance_window();
  /// Makes the span starting at `start` current: pulls far events now inside the horizon, spreads
  /// the span's bucket over the fine buckets, and sets the window to the span's first.
  void enter_span(SimTime start);
  /// Sorts the current window's fine bucket into the run; false when it is empty.
  bool take_window();
  void set_window(SimTime start);
  /// Files an event at or after window_end_ into its fine or coarse bucket; false when it lies
  /// beyond the horizon (the caller puts it with the far events).
  bool file_before_horizon(const QueuedEvent& e) {
    if (before(e.time, span_end_)) {
      append(fine_[fine_index(e.time)], e);
      ++in_fine_;
      return true;
    }
    if (before(e.time, horizon_)) {
      staged_.push_back(e);
      ++in_coarse_;
      if (staged_.size() == kStagedEvents) file_staged();
      return true;
    }
    return false;
  }
  /// Appends the staged events to their span buckets, prefetching bucket tails ahead of the appends.
  void file_staged();
  /// As file_before_horizon, with far events appended to the far heap's storage (heapified later).
  void file(const QueuedEvent& e) {
    if (!file_before_horizon(e)) far_.push_back(e);
  }
  [[nodiscard]] bool rebuild_due() const noexcept;
  void rebuild();
  /// Takes every event not taken yet out of the queue: the rest of the run, the near heap, and
  /// the fine, coarse and far levels.
  std::vector<QueuedEvent> take_waiting();
  void restore_heaps();

  // The current window [window_start_, window_end_): the sorted run, taken from run_pos_, and the
  // near heap of events pushed after the run was sorted (also anything earlier than the window,
  // which a push after run_until stopped short of the window can bring).
  std::vector<QueuedEvent> run_;
  std::size_t run_pos_ = 0;
  std::vector<QueuedEvent> near_;  // min-heap
  std::vector<Bucket> fine_;       // windows of [span_start_, span_end_), after the current one
  std::vector<Bucket> coarse_;     // spans of [span_end_, horizon_)
  // Events bound for the span buckets wait here, in push order, until kStagedEvents of them are
  // filed together (file_staged) or a span is entered. A push to a span bucket wrote a line last
  // touched thousands of events earlier, a miss that stalled the event loop (x86 commits stores in
  // order); filed in a batch, the misses are prefetched and overlap (docs/performance.md, "Session 8").
  // in_coarse_ counts them.
  static constexpr std::size_t kStagedEvents = 256;
  std::vector<QueuedEvent> staged_;
  std::vector<QueuedEvent> far_;  // min-heap of events at or after horizon_
  std::size_t in_fine_ = 0;
  std::size_t in_coarse_ = 0;
  std::vector<std::unique_ptr<Block[]>> chunks_;
  std::vector<std::uint32_t> links_;  // link(b), for every block of the pool
  std::uint32_t free_block_ = kNoBlock;

  SimTime window_start_ = 0;
  SimTime window_end_ = 0;
  SimTime span_start_ = 0;
  SimTime span_end_ = 0;
  SimTime horizon_ = 0;
  int shift_ = 0;
  std::size_t coarse_mask_ = 0;
  std::size_t size_ = 0;
  bool calendar_ = false;
  // Since the last rebuild: events taken, windows moved through, the time it started at, and the
  // time of the latest event taken (the rate is taken_ over the time between the last two).
  std::uint64_t taken_ = 0;
  std::uint64_t windows_ = 0;
  SimTime measured_from_ = 0;
  SimTime last_taken_ = 0;
  std::size_t far_after_rebuild_ = 0;  // far events the last rebuild left (rebuild_due)
};

template <class F>
std::size_t CalendarQueue::drain(Bucket& bucket, F f) {
  std::size_t n = 0;
  const Bucket drained = bucket;
  bucket = Bucket{};
  std::uint32_t b = drained.head;
  // A bucket's blocks lie wherever the pool had them: `ahead` walks the links kBlocksAhead blocks
  // in front of b, prefetching each block it reaches. The blocks it passes are not released
  // before b reaches them, so their links hold while f takes blocks for other buckets.
  std::uint32_t ahead = prefetch_chain(b);
  while (b != kNoBlock) {
    if (ahead != kNoBlock) {
      prefetch_block(ahead);
      ahead = link(ahead);
    }
    const Block& blk = block(b);  // blocks never move, so appends by f leave it valid
    const std::uint32_t count = events_in(drained, b);
    for (std::uint32_t i = 0; i < count; ++i) f(blk.events[i]);
    n += count;
    const std::uint32_t next = link(b);
    link(b) = free_block_;
    free_block_ = b;
    b = next;
  }
  return n;
}

template <class F>
void CalendarQueue::for_each_in(const Bucket& bucket, F f) const {
  for (std::uint32_t b = bucket.head; b != kNoBlock; b = link(b)) {
    const Block& blk = block(b);
    const std::uint32_t count = events_in(bucket, b);
    for (std::uint32_t i = 0; i < count; ++i) f(blk.events[i]);
  }
}

template <class Dead>
std::size_t CalendarQueue::compact(Bucket& bucket, Dead dead) {
  // Every block but the tail is full; the kept events are written back from the front, so the
  // write position never passes the read position, and the blocks left over return to the pool.
  std::size_t kept = 0;
  std::uint32_t out = bucket.head;
  std::uint32_t used = 0;
  for (std::uint32_t b = bucket.head; b != kNoBlock; b = link(b)) {
    const Block& in = block(b);
    const std::uint32_t count = events_in(bucket, b);
    for (std::uint32_t i = 0; i < count; ++i) {
      if (dead(in.events[i])) continue;
      if (used == kBlockEvents) {
        out = link(out);
        used = 0;
      }
      block(out).events[used++] = in.events[i];
      ++kept;
    }
  }
  if (kept == 0) {
    release_from(bucket.head);
    bucket = Bucket{};
    return 0;
  }
  release_from(link(out));
  link(out) = kNoBlock;
  bucket.tail = out;
  bucket.tail_count = used;
  return kept;
}

template <class Dead>
void CalendarQueue::remove_if(Dead dead) {
  // In place, without allocating: the engine purges cancelled events in steady state.
  const auto keep = [&](std::vector<QueuedEvent>& v) {
    std::size_t kept = 0;
    for (const QueuedEvent& e : v) {
      if (!dead(e)) v[kept++] = e;
    }
    v.resize(kept);
  };
  run_.erase(run_.begin(), run_.begin() + static_cast<std::ptrdiff_t>(run_pos_));
  run_pos_ = 0;
  keep(run_);  // stays sorted
  keep(near_);
  keep(far_);
  keep(staged_);
  restore_heaps();
  in_fine_ = 0;
  for (Bucket& b : fine_) in_fine_ += compact(b, dead);
  in_coarse_ = staged_.size();
  for (Bucket& b : coarse_) in_coarse_ += compact(b, dead);
  size_ = run_.size() + near_.size() + in_fine_ + in_coarse_ + far_.size();
}

template <class F>
void CalendarQueue::for_each(F f) const {
  for (std::size_t i = run_pos_; i < run_.size(); ++i) f(run_[i]);
  for (const QueuedEvent& e : near_) f(e);
  for (const Bucket& b : fine_) for_each_in(b, f);
  for (const Bucket& b : coarse_) for_each_in(b, f);
  for (const QueuedEvent& e : staged_) f(e);
  for (const QueuedEvent& e : far_) f(e);
}

}  // namespace misim
