// Transparent huge pages for the large arrays a run indexes at random (event slots, callers,
// access pairs, hosts).
//
// At a million VMs these arrays hold gigabytes, and nearly every event reads a line of each at a
// random place: with 4 KiB pages almost every such read also misses the TLB, and a software
// prefetch stalls on the page walk instead of running ahead (measured: docs/performance.md, "The
// reference fleet"). With 2 MiB pages the TLB covers them. Linux gives a region huge pages when it
// is advised so (madvise MADV_HUGEPAGE; /sys/kernel/mm/transparent_hugepage/enabled is "madvise"
// on Debian) before its pages are first touched. The advice changes speed only, never results; on
// a system without it, it does nothing.
//
// The kernel also zeroes every page at its first touch, and on this project's machines that is
// about a gigabyte a second: at a million VMs, most of the time spent building the run. A
// BackgroundPrefault (below) has the second core take those faults while the first fills the
// memory.
#pragma once

#include <cstddef>
#include <thread>
#include <utility>
#include <vector>

namespace misim {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

/// Advises the kernel to back the whole 2 MiB pages inside [data, data + bytes) with huge pages.
/// Call it on freshly reserved memory, before it is written. Smaller regions are left alone.
void advise_huge_pages(const void* data, std::size_t bytes) noexcept;

/// Memory of `bytes` (a multiple of kHugePageBytes), aligned to a huge page and advised; release
/// with release_huge_pages. Throws std::bad_alloc when there is none.
[[nodiscard]] void* allocate_huge_pages(std::size_t bytes);
void release_huge_pages(void* data) noexcept;

/// Faults in the pages of some regions on a thread of its own, as if each page had been written
/// (Linux's MADV_POPULATE_WRITE, which leaves the contents alone, so this thread may write the
/// memory meanwhile: a page it touches first is simply already there). The regions must stay
/// allocated until the object is destroyed, which waits for the thread. Where the kernel cannot,
/// nothing happens and the pages are faulted in when first written, as without it. Regions of
/// less than kMinBytes in all start no thread: every run builds a token path and reads a
/// topology, and for a small one a thread would cost more than the faults it takes over.
class BackgroundPrefault {
 public:
  static constexpr std::size_t kMinBytes = 4 * kHugePageBytes;
  explicit BackgroundPrefault(std::vector<std::pair<const void*, std::size_t>> regions);
  BackgroundPrefault(const BackgroundPrefault&) = delete;
  BackgroundPrefault& operator=(const BackgroundPrefault&) = delete;
  ~BackgroundPrefault() { wait(); }
  /// Waits for the thread (at once when there is none).
  void wait() noexcept {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

}  // namespace misim
