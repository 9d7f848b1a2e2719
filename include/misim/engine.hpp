// Engine: the discrete-event core. It owns simulated time and the pending-event set, and runs
// events in time order; events at the same time run in the order they were scheduled.
//
// An event is a small callable (at most kActionCapacity bytes of captures) stored in place: no
// heap allocation per event once the engine's storage has grown to the run's peak. A handle
// cancels a pending event in O(1) amortised; the dead heap entry is skipped when it reaches the
// top, or dropped when dead entries come to outnumber live ones.
//
//   Engine engine;
//   EventHandle h = engine.schedule_after(5 * kSecond, [&] { std::puts("timer"); });
//   engine.cancel(h);                 // never runs
//   engine.run_until(kHour);          // now() == kHour afterwards
//
// Why callbacks and not C++20 coroutines, and why a 4-ary heap: docs/architecture.md.
#pragma once

#include <cassert>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "misim/inplace_function.hpp"
#include "misim/time.hpp"

namespace misim {

/// Refers to one scheduled event. A default-constructed handle refers to nothing.
class EventHandle {
 public:
  EventHandle() = default;
  [[nodiscard]] bool valid() const noexcept { return generation_ != 0; }
  friend bool operator==(const EventHandle&, const EventHandle&) = default;

 private:
  friend class Engine;
  EventHandle(std::uint32_t slot, std::uint32_t generation) : slot_(slot), generation_(generation) {}
  std::uint32_t slot_ = 0;
  std::uint32_t generation_ = 0;  // 0 never names a live event
};

/// Why a run returned.
enum class RunOutcome {
  kReachedEnd,  // the end time was reached (events after it stay pending)
  kDrained,     // no events left
  kStopped,     // stop() was called
};

class Engine {
 public:
  static constexpr std::size_t kActionCapacity = 48;
  using Action = InplaceFunction<void(), kActionCapacity>;

  Engine();
  ~Engine();
  // Model objects capture `this` of the engine in their events: it must not move.
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  [[nodiscard]] SimTime now() const noexcept { return now_; }

  /// Schedules `action` at absolute time `when` (not before now()).
  template <class F>
  EventHandle schedule_at(SimTime when, F&& action) {
    assert(when >= now_ && "cannot schedule an event in the past");
    if (when < now_) when = now_;
    const std::uint32_t slot = acquire_slot();
    Slot& s = slot_at(slot);
    s.emplace(std::forward<F>(action));
    push_entry(Entry{when, next_sequence_++, slot, s.generation});
    ++live_events_;
    return EventHandle(slot, s.generation);
  }

  /// Schedules `action` `delay` nanoseconds from now (delay >= 0).
  template <class F>
  EventHandle schedule_after(SimTime delay, F&& action) {
    assert(delay >= 0 && "negative delay");
    return schedule_at(now_ + (delay < 0 ? 0 : delay), std::forward<F>(action));
  }

  /// Cancels a pending event. Returns false if it already ran, was cancelled, or is running now.
  bool cancel(EventHandle handle) noexcept;

  /// True while the event is scheduled and has not started.
  [[nodiscard]] bool is_pending(EventHandle handle) const noexcept;

  /// Runs every event with time <= end, in order. Unless stopped, now() == end afterwards
  /// (end == kForever leaves now() at the last event's time).
  RunOutcome run_until(SimTime end);

  /// Runs until no events remain or stop() is called.
  RunOutcome run() { return run_until(kForever); }

  /// Asks the running loop to return after the current event. Safe to call from an action.
  void stop() noexcept { stop_requested_ = true; }
  /// Also stops after the current event whenever `*flag` is non-zero: a flag that a signal handler
  /// sets (misim run's SIGINT). Unlike stop(), run_until does not clear it. nullptr: no such flag.
  void stop_when(const volatile std::sig_atomic_t* flag) noexcept { stop_flag_ = flag != nullptr ? flag : &kNoStop; }

  [[nodiscard]] std::uint64_t executed_events() const noexcept { return executed_; }
  [[nodiscard]] std::size_t pending_events() const noexcept { return live_events_; }

  /// Pre-sizes storage for this many simultaneously pending events.
  void reserve(std::size_t events);

 private:
  struct Entry {
    SimTime time;
    std::uint64_t sequence;  // breaks ties: first scheduled, first run
    std::uint32_t slot;
    std::uint32_t generation;
  };
  // A slot is its event's callable plus bookkeeping. Deriving (rather than holding an Action member)
  // lets the Itanium C++ ABI of g++ and clang place the two counters in the callable's tail
  // padding, so a slot is exactly one 64-byte cache line and, aligned, is read with one miss.
  struct alignas(64) Slot : Action {
    std::uint32_t generation = 1;
    std::uint32_t next_free = 0;
  };
  static_assert(sizeof(Slot) == 64, "a slot should fill exactly one cache line");
  // Slots live in fixed chunks so a reference stays valid while an action schedules more events.
  static constexpr std::uint32_t kChunkBits = 12;
  static constexpr std::uint32_t kChunkSize = 1U << kChunkBits;
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  static constexpr std::size_t kArity = 4;

  static bool earlier(const Entry& a, const Entry& b) noexcept {
    return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
  }
  // The same order without branches: (time, sequence) as one unsigned 128-bit key. Times are never
  // negative (the clock starts at 0 and nothing is scheduled in the past), so the order is kept.
  __extension__ using Key = unsigned __int128;
  static bool earlier_branch_free(const Entry& a, const Entry& b) noexcept {
    const auto key = [](const Entry& e) {
      return (static_cast<Key>(static_cast<std::uint64_t>(e.time)) << 64) | e.sequence;
    };
    return key(a) < key(b);
  }
  // Up to this many entries (768 KB) the heap is taken to be in cache, and pop_entry chooses among
  // children without branches; beyond it, with branches (why: pop_entry in engine.cpp).
  static constexpr std::size_t kBranchFreeHeapLimit = 32768;

  Slot& slot_at(std::uint32_t index) noexcept { return chunks_[index >> kChunkBits][index & (kChunkSize - 1)]; }
  const Slot& slot_at(std::uint32_t index) const noexcept {
    return chunks_[index >> kChunkBits][index & (kChunkSize - 1)];
  }
  std::uint32_t acquire_slot() {
    if (free_head_ == kNoSlot) grow_slots();
    const std::uint32_t slot = free_head_;
    free_head_ = slot_at(slot).next_free;
    return slot;
  }
  void release_slot(Slot& s, std::uint32_t index) noexcept {
    s.next_free = free_head_;
    free_head_ = index;
  }
  void release_slot(std::uint32_t index) noexcept { release_slot(slot_at(index), index); }
  void grow_slots();
  // Inline: it runs once per scheduled event, from the schedule_at template in the model's code.
  void push_entry(const Entry& entry) {
    heap_.push_back(entry);
    Entry* const heap = heap_.data();
    std::size_t hole = heap_.size() - 1;
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / kArity;
      if (!earlier(entry, heap[parent])) break;
      heap[hole] = heap[parent];
      hole = parent;
    }
    heap[hole] = entry;
  }
  void pop_entry() noexcept;
  /// Removes the heap entries of cancelled events (cancel() calls it when they pile up).
  void purge_cancelled() noexcept;
  static constexpr std::size_t kMinDeadToPurge = 1024;
  template <bool BranchFree>
  void sift_down(const Entry& last, std::size_t size) noexcept;

  std::vector<Entry> heap_;  // 4-ary min-heap on (time, sequence)
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::uint32_t free_head_ = kNoSlot;
  SimTime now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t executed_ = 0;
  std::size_t live_events_ = 0;
  bool stop_requested_ = false;
  static inline const volatile std::sig_atomic_t kNoStop = 0;
  const volatile std::sig_atomic_t* stop_flag_ = &kNoStop;
};

}  // namespace misim
