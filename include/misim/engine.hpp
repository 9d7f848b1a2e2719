// Engine: the discrete-event core. It owns simulated time and the pending-event set, and runs
// events in time order; events at the same time run in the order they were scheduled.
//
// An event is a small callable (at most kActionCapacity bytes of captures) stored in place: no
// heap allocation per event once the engine's storage has grown to the run's peak. A handle
// cancels a pending event in O(1) amortised; the dead queue entry is skipped when it reaches the
// top, or dropped when dead entries come to outnumber live ones. A posted event (post_at) is a
// registered handler and a 32-bit argument held in the queue entry itself: no slot, no handle, for
// the frequent events of a large model that are never cancelled.
//
//   Engine engine;
//   EventHandle h = engine.schedule_after(5 * kSecond, [&] { std::puts("timer"); });
//   engine.cancel(h);                 // never runs
//   engine.run_until(kHour);          // now() == kHour afterwards
//
// Why callbacks and not C++20 coroutines: docs/architecture.md; why a calendar queue and not a
// heap: calendar_queue.hpp and docs/performance.md.
#pragma once

#include <cassert>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "misim/calendar_queue.hpp"
#include "misim/huge_pages.hpp"
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
  /// How much of an event's `touches` is prefetched: two cache lines.
  static constexpr std::size_t kTouchedBytes = 128;

  Engine();
  ~Engine();
  // Model objects capture `this` of the engine in their events: it must not move.
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  [[nodiscard]] SimTime now() const noexcept { return now_; }

  /// Schedules `action` at absolute time `when` (not before now()). `touches`, when given, is the
  /// memory the action reads first (the model object it works on): the loop starts loading its
  /// first kTouchedBytes a few events before the action runs, so a model spread over gigabytes
  /// costs fewer stalls. It never changes what runs or when.
  template <class F>
  EventHandle schedule_at(SimTime when, F&& action, const void* touches = nullptr) {
    assert(when >= now_ && "cannot schedule an event in the past");
    if (when < now_) when = now_;
    const std::uint32_t slot = acquire_slot();
    Slot& s = slot_at(slot);
    s.emplace(std::forward<F>(action));
    queue_.push(QueuedEvent{when, next_sequence_++ << 1, slot, s.generation, touches});
    ++live_events_;
    return EventHandle(slot, s.generation);
  }

  /// Schedules `action` `delay` nanoseconds from now (delay >= 0).
  template <class F>
  EventHandle schedule_after(SimTime delay, F&& action) {
    assert(delay >= 0 && "negative delay");
    return schedule_at(now_ + (delay < 0 ? 0 : delay), std::forward<F>(action));
  }

  /// What a posted event calls: handler(context, argument).
  using Handler = void (*)(void* context, std::uint32_t argument);
  /// Registers a handler for post_at and returns its id. It lives as long as the engine. `warm`,
  /// when given, is called with the same context and argument a few events before the handler, once
  /// the event's `touches` has had time to arrive: it may read them and prefetch what they point to
  /// (a second level of indirection the engine cannot see). It must not change anything.
  /// `touched_bytes` (up to kTouchedBytes) is how much of an event's `touches` is prefetched: a
  /// handler that mostly reads one line asks for 64, and its warm hook fetches more when needed.
  std::uint32_t add_handler(Handler handler, void* context, Handler warm = nullptr,
                            std::size_t touched_bytes = kTouchedBytes);

  /// Posts handler(context, argument) at `when` (not before now()), with `touches` as for
  /// schedule_at. A posted event takes no slot: its queue entry is the whole event, so running it
  /// reads no slot's line, one cache miss fewer an event when millions are pending (an application's
  /// next call: docs/performance.md). The price: no handle, so it cannot be cancelled. It is
  /// ordered with scheduled events exactly as if it had been scheduled.
  void post_at(SimTime when, std::uint32_t handler, std::uint32_t argument, const void* touches = nullptr) {
    assert(when >= now_ && "cannot post an event in the past");
    assert(handler < handlers_.size() && "unknown handler");
    if (when < now_) when = now_;
    queue_.push(QueuedEvent{when, (next_sequence_++ << 1) | 1U, handler, argument, touches});
    ++live_events_;
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
  // A slot is its event's callable plus bookkeeping. Deriving (rather than holding an Action member)
  // lets the Itanium C++ ABI of g++ and clang place the two counters in the callable's tail
  // padding, so a slot is exactly one 64-byte cache line and, aligned, is read with one miss.
  struct alignas(64) Slot : Action {
    std::uint32_t generation = 1;
    std::uint32_t next_free = 0;
  };
  static_assert(sizeof(Slot) == 64, "a slot should fill exactly one cache line");
  // Slots live in fixed chunks so a reference stays valid while an action schedules more events.
  // A chunk is one 2 MiB huge page (huge_pages.hpp): events read slots all over the chunks.
  static constexpr std::uint32_t kChunkBits = 15;
  static constexpr std::uint32_t kChunkSize = 1U << kChunkBits;
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  struct ChunkRelease {
    void operator()(Slot* chunk) const noexcept;
  };
  static_assert(sizeof(Slot) << kChunkBits == kHugePageBytes, "a chunk of slots should be one huge page");

  Slot& slot_at(std::uint32_t index) noexcept { return chunks_[index >> kChunkBits].get()[index & (kChunkSize - 1)]; }
  const Slot& slot_at(std::uint32_t index) const noexcept {
    return chunks_[index >> kChunkBits].get()[index & (kChunkSize - 1)];
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
  /// Removes the queue entries of cancelled events (cancel() calls it when they pile up).
  void purge_cancelled() noexcept;
  static constexpr std::size_t kMinDeadToPurge = 1024;

  struct PostedHandler {
    Handler handler;
    Handler warm;  // or null
    void* context;
    std::size_t touched_bytes;  // of `touches` to prefetch, at most kTouchedBytes
  };

  CalendarQueue queue_;                  // pending events by (time, sequence), cancelled ones included
  std::vector<PostedHandler> handlers_;  // of posted events, by id
  std::vector<std::unique_ptr<Slot, ChunkRelease>> chunks_;
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
