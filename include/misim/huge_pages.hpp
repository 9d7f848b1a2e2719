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
#pragma once

#include <cstddef>

namespace misim {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

/// Advises the kernel to back the whole 2 MiB pages inside [data, data + bytes) with huge pages.
/// Call it on freshly reserved memory, before it is written. Smaller regions are left alone.
void advise_huge_pages(const void* data, std::size_t bytes) noexcept;

/// Memory of `bytes` (a multiple of kHugePageBytes), aligned to a huge page and advised; release
/// with release_huge_pages. Throws std::bad_alloc when there is none.
[[nodiscard]] void* allocate_huge_pages(std::size_t bytes);
void release_huge_pages(void* data) noexcept;

}  // namespace misim
