// Engine: the discrete-event core. It owns simulated time and the pending-event set, and runs
// events in time order; events at the same time run in the order they were scheduled.
//
// An event is a small callable (at most kActionCapacity bytes of captures) stored in place: no
// heap allocation per event once the engine's storage has grown to the run's peak. A handle
// cancels a pending event in O(1); the dead heap entry is skipped when it reaches the top.
//
//   Engine engine;
//   EventHandle h = engine.schedule_after(5 * kSecond, [&] { std::puts("timer"); });
//   engine.cancel(h);                 // never runs
//   engine.run_until(kHour);          // now() == kHour afterwards
//
// Why callbacks and not C++20 coroutines, and why a 4-ary heap: docs/architecture.md.
#pragma once

#include <cassert>
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
    s.action.emplace(std::forward<F>(action));
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
  struct Slot {
    Action action;
    std::uint32_t generation = 1;
    std::uint32_t next_free = 0;
  };
  // Slots live in fixed chunks so a reference stays valid while an action schedules more events.
  static constexpr std::uint32_t kChunkBits = 12;
  static constexpr std::uint32_t kChunkSize = 1U << kChunkBits;
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  static constexpr std::size_t kArity = 4;

  static bool earlier(const Entry& a, const Entry& b) noexcept {
    return a.time < b.time || (a.time == b.time && a.sequence < b.sequence);
  }

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
  void release_slot(std::uint32_t index) noexcept {
    Slot& s = slot_at(index);
    s.next_free = free_head_;
    free_head_ = index;
  }
  void grow_slots();
  void push_entry(const Entry& entry);
  void pop_entry() noexcept;

  std::vector<Entry> heap_;  // 4-ary min-heap on (time, sequence)
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::uint32_t free_head_ = kNoSlot;
  SimTime now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t executed_ = 0;
  std::size_t live_events_ = 0;
  std::uint32_t running_slot_ = kNoSlot;
  bool stop_requested_ = false;
};

}  // namespace misim
