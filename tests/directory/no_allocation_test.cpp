// The per-request queries allocate nothing (docs/style.md: "Hot paths allocate nothing per
// event"): identity selection on every token request and the RBAC check on every call to a target.
//
// This executable replaces the global operator new and delete with counting versions (as
// tests/engine/no_allocation_test.cpp does), so it runs in a process of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "estate.hpp"
#include "misim/directory.hpp"

namespace {

std::atomic<std::uint64_t> g_allocations{0};

void* counted_allocate(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  if (void* p = std::malloc(size)) return p;
  throw std::bad_alloc();
}

void* counted_allocate_aligned(std::size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto alignment = static_cast<std::size_t>(align);
  // aligned_alloc wants a size that is a multiple of the alignment.
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  if (void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

// The replaceable global allocation functions ([new.delete]): every form, so nothing bypasses the
// count. (The nothrow and sized forms would otherwise default to these, but being explicit costs
// nothing.)
void* operator new(std::size_t size) { return counted_allocate(size); }
void* operator new[](std::size_t size) { return counted_allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return counted_allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) { return counted_allocate_aligned(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return counted_allocate_aligned(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace misim {
namespace {

std::uint64_t allocations() { return g_allocations.load(std::memory_order_relaxed); }

TEST(DirectoryHotPaths, AllocationCounterCounts) {
  // The pointer escapes through a volatile, so clang may not elide the new/delete pair.
  static int* volatile escaped = nullptr;
  const std::uint64_t before = allocations();
  escaped = new int(5);
  const std::uint64_t after = allocations();
  delete escaped;
  EXPECT_EQ(after - before, 1U);
}

TEST(DirectoryHotPaths, SelectionAndAccessChecksAllocateNothing) {
  testing::Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const ResourceId one = e.resource("one", "vm");
  const ResourceId two = e.resource("two", "vm", true);
  const ResourceId many = e.resource("many", "vm");
  const IdentityId a = e.user_assigned("a");
  const IdentityId b = e.user_assigned("b");
  testing::ok(e.dir.attach(one, a, 0));
  testing::ok(e.dir.attach(two, a, 0));
  testing::ok(e.dir.attach(many, a, 0));
  testing::ok(e.dir.attach(many, b, 0));
  e.assign(a, "Key Vault Secrets User", e.group);
  const IdentitySelector by_client = IdentitySelector::by_client_id(e.dir.identity(b).client_id);
  const std::uint64_t before = allocations();
  std::uint64_t granted = 0;
  for (int i = 0; i < 1000; ++i) {
    granted += e.dir.select_identity(one, IdentitySelector::none()).ok() ? 1 : 0;
    granted += e.dir.select_identity(two, IdentitySelector::none()).ok() ? 1 : 0;
    granted += e.dir.select_identity(many, IdentitySelector::none()).ok() ? 1 : 0;  // 400, ambiguous
    granted += e.dir.select_identity(many, by_client).ok() ? 1 : 0;
    granted += e.dir.check_access(a, vault, testing::kGetSecret).granted ? 1 : 0;
    granted += e.dir.check_access(b, vault, testing::kGetSecret).granted ? 1 : 0;  // denied
  }
  EXPECT_EQ(allocations() - before, 0U);
  EXPECT_EQ(granted, 4000U);
}

}  // namespace
}  // namespace misim
