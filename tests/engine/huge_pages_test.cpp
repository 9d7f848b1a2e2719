// BackgroundPrefault: the pages of a region are resident once it has waited, and what the owner
// wrote meanwhile is still there (the kernel faults pages in without touching their contents).
#include "misim/huge_pages.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace misim {
namespace {

/// A fresh anonymous mapping: no page of it is resident until touched.
struct Mapping {
  explicit Mapping(std::size_t n) : bytes(n) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data = p == MAP_FAILED ? nullptr : static_cast<unsigned char*>(p);
  }
  ~Mapping() {
    if (data != nullptr) munmap(data, bytes);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  /// How many of its pages are resident.
  [[nodiscard]] std::size_t resident_pages() const {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> in(bytes / page);
    if (mincore(data, bytes, in.data()) != 0) return 0;
    std::size_t n = 0;
    for (unsigned char c : in) n += c & 1U;
    return n;
  }
  std::size_t bytes;
  unsigned char* data;
};

/// Whether this kernel faults pages in on request (MADV_POPULATE_WRITE, Linux 5.14).
bool kernel_populates() {
#if defined(MADV_POPULATE_WRITE)
  Mapping probe(static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
  return probe.data != nullptr && madvise(probe.data, probe.bytes, MADV_POPULATE_WRITE) == 0;
#else
  return false;
#endif
}

TEST(BackgroundPrefault, LeavesEveryPageOfItsRegionsResident) {
  if (!kernel_populates()) GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
  constexpr std::size_t kBytes = std::size_t{64} << 20;
  Mapping a(kBytes);
  Mapping b(kBytes / 4);
  ASSERT_NE(a.data, nullptr);
  ASSERT_NE(b.data, nullptr);
  ASSERT_EQ(a.resident_pages(), 0U);
  { BackgroundPrefault prefault({{a.data, a.bytes}, {b.data, b.bytes}}); }  // waits
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  EXPECT_EQ(a.resident_pages(), a.bytes / page);
  EXPECT_EQ(b.resident_pages(), b.bytes / page);
}

TEST(BackgroundPrefault, KeepsWhatIsWrittenWhileItRuns) {
  constexpr std::size_t kBytes = std::size_t{64} << 20;
  Mapping m(kBytes);
  ASSERT_NE(m.data, nullptr);
  BackgroundPrefault prefault({{m.data, m.bytes}});
  // Written from both ends while the other thread faults the pages in from the front.
  for (std::size_t i = 0; i < kBytes / 2; i += 512) {
    m.data[i] = static_cast<unsigned char>(i >> 9);
    m.data[kBytes - 1 - i] = static_cast<unsigned char>(~(i >> 9));
  }
  prefault.wait();
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < kBytes / 2; i += 512) {
    wrong += m.data[i] != static_cast<unsigned char>(i >> 9) ? 1 : 0;
    wrong += m.data[kBytes - 1 - i] != static_cast<unsigned char>(~(i >> 9)) ? 1 : 0;
  }
  EXPECT_EQ(wrong, 0U);
  EXPECT_EQ(m.data[256], 0U);  // never written: still zero
}

// A small run's token path and topology are far below kMinBytes: no thread, no faults taken over.
TEST(BackgroundPrefault, LeavesRegionsSmallerThanItsMinimumToTheirOwner) {
  if (!kernel_populates()) GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
  Mapping m(BackgroundPrefault::kMinBytes / 2);
  ASSERT_NE(m.data, nullptr);
  { BackgroundPrefault prefault({{m.data, m.bytes}}); }  // waits
  EXPECT_EQ(m.resident_pages(), 0U);
}

TEST(BackgroundPrefault, IgnoresEmptyAndNullRegions) {
  std::vector<char> small(100, 'x');
  BackgroundPrefault prefault({{nullptr, 4096}, {small.data(), 0}, {small.data(), small.size()}});
  prefault.wait();
  prefault.wait();  // twice is fine
  EXPECT_EQ(small[99], 'x');
}

}  // namespace
}  // namespace misim
