// The event loop. See include/misim/engine.hpp for the contract.
#include "misim/engine.hpp"

#include <algorithm>
#include <memory>

namespace misim {

namespace {
// The loop prefetches what the events to come will touch (their engine slot, or a posted event's
// `touches`) in batches of kPrefetchBatch, from one to three batches ahead of the running event,
// and runs posted events' warm hooks in batches once their prefetches have had a batch of events'
// time to land. A slot was last touched when its event was scheduled, often long ago, and a
// prefetch that misses the TLB can hold the pipeline for its page walk: issued one an event, the
// walks run one after another; issued together, they overlap (docs/performance.md, "Session 7":
// 192 against 121 ns an item on a 3 GiB table of this machine).
constexpr std::size_t kPrefetchBatch = 16;
static_assert(3 * kPrefetchBatch <= CalendarQueue::kLookAhead, "the queue must show the events prefetched");

// Generations skip 0, which marks an invalid handle.
std::uint32_t next_generation(std::uint32_t g) noexcept { return g + 1 == 0 ? 1 : g + 1; }
}  // namespace

Engine::Engine() = default;

Engine::~Engine() {
  // Destroy the callables of events that never ran (they may own resources).
  queue_.for_each([this](const QueuedEvent& e) {
    if (e.posted()) return;
    Slot& s = slot_at(e.slot);
    if (s.generation == e.generation) s.reset();
  });
}

void Engine::ChunkRelease::operator()(Slot* chunk) const noexcept {
  std::destroy_n(chunk, kChunkSize);
  release_huge_pages(chunk);
}

void Engine::grow_slots() {
  const auto base = static_cast<std::uint32_t>(chunks_.size() * kChunkSize);
  Slot* chunk = static_cast<Slot*>(allocate_huge_pages(sizeof(Slot) * kChunkSize));
  std::uninitialized_value_construct_n(chunk, kChunkSize);
  chunks_.emplace_back(chunk);
  // Thread the new chunk onto the free list in index order, so slot use is deterministic.
  for (std::uint32_t i = 0; i < kChunkSize; ++i) {
    chunk[i].next_free = (i + 1 < kChunkSize) ? base + i + 1 : free_head_;
  }
  free_head_ = base;
}

void Engine::reserve(std::size_t events) {
  while (chunks_.size() * kChunkSize < events) grow_slots();
}

std::uint32_t Engine::add_handler(Handler handler, void* context, Handler warm, std::size_t touched_bytes) {
  handlers_.push_back(PostedHandler{handler, warm, context, std::min(touched_bytes, kTouchedBytes)});
  return static_cast<std::uint32_t>(handlers_.size() - 1);
}

bool Engine::cancel(EventHandle handle) noexcept {
  if (!is_pending(handle)) return false;
  Slot& s = slot_at(handle.slot_);
  s.reset();
  s.generation = next_generation(s.generation);
  release_slot(handle.slot_);
  --live_events_;
  // A cancelled event's queue entry stays until it reaches the top. Timers reset far ahead (token
  // refresh) would pile up dead entries and grow the queue without bound, so once the dead
  // outnumber the live (and there are enough to matter), drop them all at once: amortised O(1)
  // per cancel, and no allocation.
  if (queue_.size() > 2 * live_events_ + kMinDeadToPurge) purge_cancelled();
  return true;
}

void Engine::purge_cancelled() noexcept {
  queue_.remove_if([this](const QueuedEvent& e) { return !e.posted() && slot_at(e.slot).generation != e.generation; });
}

bool Engine::is_pending(EventHandle handle) const noexcept {
  if (!handle.valid() || (handle.slot_ >> kChunkBits) >= chunks_.size()) return false;
  // The running event's generation was advanced before it started, so it is not pending here.
  return slot_at(handle.slot_).generation == handle.generation_;
}

RunOutcome Engine::run_until(SimTime end) {
  stop_requested_ = false;
  if (*stop_flag_ != 0) return RunOutcome::kStopped;
  QueuedEvent top{};
  // Of the events after the top: how many have had their memory prefetched, and how many their
  // warm hooks run (never more). Approximate: an event taken from the near heap, or a rebuild,
  // shifts the queue's order under them, which costs a prefetch, never a result.
  std::size_t touched = 0;
  std::size_t warmed = 0;
  while (queue_.take_until(end, top)) {
    touched -= touched > 0 ? 1 : 0;
    warmed -= warmed > 0 ? 1 : 0;
    if (touched < 2 * kPrefetchBatch) {
      for (const std::size_t last = touched + kPrefetchBatch; touched < last; ++touched) {
        const QueuedEvent* next = queue_.ahead(touched);
        if (next == nullptr) break;
        if (!next->posted()) __builtin_prefetch(&slot_at(next->slot));
        if (next->touches != nullptr) {
          const std::size_t bytes = next->posted() ? handlers_[next->slot].touched_bytes : kTouchedBytes;
          for (std::size_t offset = 0; offset < bytes; offset += 64) {
            __builtin_prefetch(static_cast<const char*>(next->touches) + offset);
          }
        }
      }
    }
    if (warmed < kPrefetchBatch && touched > kPrefetchBatch) {
      for (const std::size_t last = touched - kPrefetchBatch; warmed < last; ++warmed) {
        const QueuedEvent* next = queue_.ahead(warmed);
        if (next == nullptr) break;
        if (!next->posted()) continue;
        const PostedHandler& posted = handlers_[next->slot];
        if (posted.warm != nullptr) posted.warm(posted.context, next->generation);
      }
    }
    if (top.posted()) {
      now_ = top.time;
      --live_events_;
      ++executed_;
      const PostedHandler& posted = handlers_[top.slot];
      posted.handler(posted.context, top.generation);
      if (stop_requested_ || *stop_flag_ != 0) return RunOutcome::kStopped;
      continue;
    }
    Slot& s = slot_at(top.slot);
    if (s.generation != top.generation) continue;  // cancelled; its slot is already free
    now_ = top.time;
    // The handle dies now (a cancel from inside the action is a no-op), but the slot is released
    // only after the action returns, so the callable is never overwritten while it runs.
    s.generation = next_generation(s.generation);
    --live_events_;
    ++executed_;
    s();
    s.reset();
    release_slot(s, top.slot);  // chunks never move, so s is still this slot
    if (stop_requested_ || *stop_flag_ != 0) return RunOutcome::kStopped;
  }
  if (end != kForever && end > now_) now_ = end;
  return live_events_ == 0 ? RunOutcome::kDrained : RunOutcome::kReachedEnd;
}

}  // namespace misim
