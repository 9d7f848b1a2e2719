// InplaceFunction<R(Args...), Capacity>: a move-only callable stored inside the object, never on
// the heap.
//
// The engine keeps one of these per pending event, so scheduling must not allocate. A callable
// larger than Capacity bytes is a compile error, not a silent heap fallback (std::function would
// allocate for anything bigger than two pointers). Capture ids and pointers, not containers.
//
//   InplaceFunction<void(), 48> f = [this, id] { on_timer(id); };
//   f();
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace misim {

template <class Signature, std::size_t Capacity>
class InplaceFunction;

template <class R, class... Args, std::size_t Capacity>
class InplaceFunction<R(Args...), Capacity> {
 public:
  static constexpr std::size_t kCapacity = Capacity;

  InplaceFunction() noexcept = default;

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, InplaceFunction> && std::is_invocable_r_v<R, D&, Args...>>>
  InplaceFunction(F&& f) {  // NOLINT(google-explicit-constructor): a callable converts like std::function
    construct<D>(std::forward<F>(f));
  }

  /// Replaces the held callable with f, constructed in place (no temporary, no relocation).
  template <class F, class D = std::decay_t<F>>
  void emplace(F&& f) {
    reset();
    construct<D>(std::forward<F>(f));
  }

  InplaceFunction(InplaceFunction&& other) noexcept { move_from(other); }
  InplaceFunction& operator=(InplaceFunction&& other) noexcept {
    if (this != &other) {
      reset();
      move_from(other);
    }
    return *this;
  }
  InplaceFunction(const InplaceFunction&) = delete;
  InplaceFunction& operator=(const InplaceFunction&) = delete;
  ~InplaceFunction() { reset(); }

  /// Destroys the held callable, if any.
  void reset() noexcept {
    if (ops_ != nullptr && ops_->destroy != nullptr) ops_->destroy(storage_);
    ops_ = nullptr;
  }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  R operator()(Args... args) { return ops_->invoke(storage_, std::forward<Args>(args)...); }

 private:
  struct Ops {
    R (*invoke)(void*, Args&&...);
    void (*relocate)(void* dst, void* src) noexcept;  // move-construct into dst, destroy src
    void (*destroy)(void*) noexcept;                  // null when trivially destructible
  };

  template <class D, class F>
  void construct(F&& f) {
    static_assert(sizeof(D) <= Capacity, "callable too large for InplaceFunction: capture less (ids, not objects)");
    static_assert(alignof(D) <= alignof(std::max_align_t), "over-aligned callable");
    static_assert(std::is_nothrow_move_constructible_v<D>, "callable must be nothrow-movable");
    ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
    ops_ = &kOps<D>;
  }

  template <class D>
  static constexpr Ops kOps = {
      [](void* self, Args&&... args) -> R { return (*static_cast<D*>(self))(std::forward<Args>(args)...); },
      [](void* dst, void* src) noexcept {
        if constexpr (std::is_trivially_copyable_v<D>) {
          std::memcpy(dst, src, sizeof(D));
        } else {
          ::new (dst) D(std::move(*static_cast<D*>(src)));
          static_cast<D*>(src)->~D();
        }
      },
      std::is_trivially_destructible_v<D> ? nullptr : +[](void* self) noexcept { static_cast<D*>(self)->~D(); },
  };

  void move_from(InplaceFunction& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->relocate(storage_, other.storage_);
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) std::byte storage_[Capacity];
  const Ops* ops_ = nullptr;
};

}  // namespace misim
