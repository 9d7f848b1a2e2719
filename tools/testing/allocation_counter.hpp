// Counts heap allocations made through the global operator new: for benchmarks that report
// allocations per item, and for tests that check a hot path allocates nothing. Linking the
// library misim_allocation_counter (and calling allocation_count) replaces the global
// allocation functions for the whole program; counting costs two additions per allocation.
//
//   const AllocationCount before = allocation_count();
//   run_model();
//   const AllocationCount made = allocation_count() - before;   // made.allocations, made.bytes
#pragma once

#include <cstdint>

namespace misim::counting {

struct AllocationCount {
  std::uint64_t allocations = 0;
  std::uint64_t bytes = 0;
  friend AllocationCount operator-(const AllocationCount& a, const AllocationCount& b) noexcept {
    return {a.allocations - b.allocations, a.bytes - b.bytes};
  }
};

/// Allocations (and bytes requested) through every form of operator new since the program
/// started. Benchmarks and tests that read it run on one thread, so the counters are plain integers.
[[nodiscard]] AllocationCount allocation_count() noexcept;

}  // namespace misim::counting
