// Transparent huge pages: see include/misim/huge_pages.hpp.
#include "misim/huge_pages.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace misim {

void advise_huge_pages(const void* data, std::size_t bytes) noexcept {
#if defined(MADV_HUGEPAGE)
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const std::uintptr_t last = (begin + bytes) & ~(kHugePageBytes - 1);
  if (data == nullptr || last <= first) return;
  // Advice only: a kernel without transparent huge pages refuses it, and the run is the same.
  (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

void* allocate_huge_pages(std::size_t bytes) {
  void* data = std::aligned_alloc(kHugePageBytes, bytes);
  if (data == nullptr) throw std::bad_alloc();
  advise_huge_pages(data, bytes);
  return data;
}

void release_huge_pages(void* data) noexcept { std::free(data); }

BackgroundPrefault::BackgroundPrefault(std::vector<std::pair<const void*, std::size_t>> regions) {
#if defined(MADV_POPULATE_WRITE)
  std::size_t total = 0;
  for (const auto& region : regions) total += region.first != nullptr ? region.second : 0;
  if (total < kMinBytes) return;
  thread_ = std::thread([regions = std::move(regions)] {
    const auto kPage = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    for (const auto& [data, bytes] : regions) {
      // Whole pages only (madvise takes page-aligned ranges); the partial pages at the ends are
      // faulted in by whoever writes them first.
      const auto begin = reinterpret_cast<std::uintptr_t>(data);
      const std::uintptr_t first = (begin + kPage - 1) & ~(kPage - 1);
      const std::uintptr_t last = (begin + bytes) & ~(kPage - 1);
      if (data == nullptr || last <= first) continue;
      // In chunks, front to back, so that the pages this thread's owner fills first come first.
      for (std::uintptr_t at = first; at < last; at += kHugePageBytes) {
        const std::uintptr_t end = std::min(last, at + kHugePageBytes);
        if (madvise(reinterpret_cast<void*>(at), end - at, MADV_POPULATE_WRITE) != 0) break;  // not here
      }
    }
  });
#else
  (void)regions;
#endif
}

}  // namespace misim
