// Transparent huge pages: see include/misim/huge_pages.hpp.
#include "misim/huge_pages.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
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

}  // namespace misim
