// RingQueue<T>: a FIFO of trivially copyable records in one growable circular buffer.
//
// std::deque allocates a block every few hundred elements as a queue cycles; this buffer grows by
// doubling to the queue's peak and then never allocates again, which keeps the station's hot path
// free of allocation.
#pragma once

#include <cassert>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace misim {

template <class T>
class RingQueue {
  static_assert(std::is_trivially_copyable_v<T>, "RingQueue holds plain records");

 public:
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  void push_back(const T& value) {
    if (size_ == buffer_.size()) grow();
    buffer_[(head_ + size_) & (buffer_.size() - 1)] = value;
    ++size_;
  }

  T pop_front() noexcept {
    assert(size_ > 0);
    T value = buffer_[head_];
    head_ = (head_ + 1) & (buffer_.size() - 1);
    --size_;
    return value;
  }

  [[nodiscard]] const T& front() const noexcept { return buffer_[head_]; }

 private:
  void grow() {
    std::vector<T> bigger(buffer_.empty() ? 16 : buffer_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = buffer_[(head_ + i) & (buffer_.size() - 1)];
    buffer_.swap(bigger);
    head_ = 0;
  }

  std::vector<T> buffer_;  // size is zero or a power of two
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace misim
