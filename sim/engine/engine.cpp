// The event loop and its 4-ary heap. See include/misim/engine.hpp for the contract.
#include "misim/engine.hpp"

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
    if (s.generation == e.generation) s.action.reset();
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

void Engine::push_entry(const Entry& entry) {
  heap_.push_back(entry);
  std::size_t hole = heap_.size() - 1;
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!earlier(entry, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
}

void Engine::pop_entry() noexcept {
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return;
  std::size_t hole = 0;
  for (;;) {
    const std::size_t first = hole * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t end = first + kArity < n ? first + kArity : n;
    for (std::size_t c = first + 1; c < end; ++c) {
      if (earlier(heap_[c], heap_[best])) best = c;
    }
    if (!earlier(heap_[best], last)) break;
    heap_[hole] = heap_[best];
    hole = best;
  }
  heap_[hole] = last;
}

bool Engine::cancel(EventHandle handle) noexcept {
  if (!is_pending(handle)) return false;
  Slot& s = slot_at(handle.slot_);
  s.action.reset();
  s.generation = next_generation(s.generation);
  release_slot(handle.slot_);
  --live_events_;
  return true;
}

bool Engine::is_pending(EventHandle handle) const noexcept {
  if (!handle.valid() || (handle.slot_ >> kChunkBits) >= chunks_.size()) return false;
  if (handle.slot_ == running_slot_) return false;
  return slot_at(handle.slot_).generation == handle.generation_;
}

RunOutcome Engine::run_until(SimTime end) {
  stop_requested_ = false;
  while (!heap_.empty()) {
    const Entry top = heap_.front();
    if (top.time > end) break;
    pop_entry();
    Slot& s = slot_at(top.slot);
    if (s.generation != top.generation) continue;  // cancelled; its slot is already free
    now_ = top.time;
    // The handle dies now (a cancel from inside the action is a no-op), but the slot is released
    // only after the action returns, so the callable is never overwritten while it runs.
    s.generation = next_generation(s.generation);
    running_slot_ = top.slot;
    --live_events_;
    ++executed_;
    s.action();
    s.action.reset();
    running_slot_ = kNoSlot;
    release_slot(top.slot);
    if (stop_requested_) return RunOutcome::kStopped;
  }
  if (end != kForever && end > now_) now_ = end;
  return live_events_ == 0 ? RunOutcome::kDrained : RunOutcome::kReachedEnd;
}

}  // namespace misim
