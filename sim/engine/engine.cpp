// The event loop and its 4-ary heap. See include/misim/engine.hpp for the contract.
#include "misim/engine.hpp"

#include <algorithm>

namespace misim {

namespace {
// Generations skip 0, which marks an invalid handle.
std::uint32_t next_generation(std::uint32_t g) noexcept { return g + 1 == 0 ? 1 : g + 1; }
}  // namespace

Engine::Engine() = default;

Engine::~Engine() {
  // Destroy the callables of events that never ran (they may own resources).
  for (const Entry& e : heap_) {
    Slot& s = slot_at(e.slot);
    if (s.generation == e.generation) s.reset();
  }
}

void Engine::grow_slots() {
  const auto base = static_cast<std::uint32_t>(chunks_.size() * kChunkSize);
  chunks_.push_back(std::make_unique<Slot[]>(kChunkSize));
  Slot* chunk = chunks_.back().get();
  // Thread the new chunk onto the free list in index order, so slot use is deterministic.
  for (std::uint32_t i = 0; i < kChunkSize; ++i) {
    chunk[i].next_free = (i + 1 < kChunkSize) ? base + i + 1 : free_head_;
  }
  free_head_ = base;
}

void Engine::reserve(std::size_t events) {
  heap_.reserve(events);
  while (chunks_.size() * kChunkSize < events) grow_slots();
}

// Moves `last` down from the root of a heap of `size` entries to its place (top-down).
//
// Which of four children is the smallest is a coin toss, so branches on it mispredict. While the
// heap fits in the cache, the choice is made without branches (conditional moves), which halved
// the mispredictions and ran the hold model 13-24% faster up to 30,000 pending events. On a larger
// heap, loads from memory are what cost, and a predicted branch lets the CPU start loading the
// next level before the comparison resolves, which a conditional move forbids: there the
// branch-free form ran the hold model at a million pending events 2x slower (docs/performance.md).
template <bool BranchFree>
inline void Engine::sift_down(const Entry& last, std::size_t size) noexcept {
  const auto less = [](const Entry& a, const Entry& b) {
    if constexpr (BranchFree) {
      return earlier_branch_free(a, b);
    } else {
      return earlier(a, b);
    }
  };
  Entry* const heap = heap_.data();
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first = hole * kArity + 1;
    if (first >= size) break;
    std::size_t best = first;
    if (BranchFree && first + kArity <= size) {
      static_assert(kArity == 4, "the branch-free choice below is written for four children");
      const std::size_t low = less(heap[first + 1], heap[first]) ? first + 1 : first;
      const std::size_t high = less(heap[first + 3], heap[first + 2]) ? first + 3 : first + 2;
      best = less(heap[high], heap[low]) ? high : low;
    } else {
      const std::size_t end = first + kArity < size ? first + kArity : size;
      for (std::size_t c = first + 1; c < end; ++c) {
        if (less(heap[c], heap[best])) best = c;
      }
    }
    if (!less(heap[best], last)) break;
    heap[hole] = heap[best];
    hole = best;
  }
  heap[hole] = last;
}

// Removes the top entry. Defined before run_until, its only caller, and inline so the loop makes
// no call. (Wegener's bottom-up sift, as in std::pop_heap, measured no faster here.)
inline void Engine::pop_entry() noexcept {
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t size = heap_.size();
  if (size == 0) return;
  if (size <= kBranchFreeHeapLimit) {
    sift_down<true>(last, size);
  } else {
    sift_down<false>(last, size);
  }
}

bool Engine::cancel(EventHandle handle) noexcept {
  if (!is_pending(handle)) return false;
  Slot& s = slot_at(handle.slot_);
  s.reset();
  s.generation = next_generation(s.generation);
  release_slot(handle.slot_);
  --live_events_;
  // A cancelled event's heap entry stays until it reaches the top. Timers reset far ahead (token
  // refresh) would pile up dead entries and grow the heap without bound, so once the dead
  // outnumber the live (and there are enough to matter), drop them all at once: amortised O(1)
  // per cancel, and no allocation.
  if (heap_.size() > 2 * live_events_ + kMinDeadToPurge) purge_cancelled();
  return true;
}

void Engine::purge_cancelled() noexcept {
  std::size_t kept = 0;
  for (const Entry& e : heap_) {
    if (slot_at(e.slot).generation == e.generation) heap_[kept++] = e;
  }
  heap_.resize(kept);
  // Entries sorted by (time, sequence) form a valid heap: every parent precedes its children.
  std::sort(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return earlier(a, b); });
}

bool Engine::is_pending(EventHandle handle) const noexcept {
  if (!handle.valid() || (handle.slot_ >> kChunkBits) >= chunks_.size()) return false;
  // The running event's generation was advanced before it started, so it is not pending here.
  return slot_at(handle.slot_).generation == handle.generation_;
}

RunOutcome Engine::run_until(SimTime end) {
  stop_requested_ = false;
  if (*stop_flag_ != 0) return RunOutcome::kStopped;
  while (!heap_.empty()) {
    const Entry top = heap_.front();
    if (top.time > end) break;
    pop_entry();
    // The next event's slot was last touched when it was scheduled, often long ago: start loading
    // it now so the miss overlaps with running this event.
    if (!heap_.empty()) __builtin_prefetch(&slot_at(heap_.front().slot));
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
