// The misim command's heap: jemalloc (linked by tools/misim/CMakeLists.txt) reads `malloc_conf`
// from the program at start-up (https://jemalloc.net/jemalloc.3.html, "TUNING").
//
// thp:always marks the heap's memory MADV_HUGEPAGE, so that on a machine whose transparent huge
// pages are in "madvise" mode (Debian's default) it is backed by 2 MiB pages; metadata_thp does the
// same for jemalloc's own tables. A fleet's directory, slots and tables are gigabytes read at
// random, where every 4 KiB page is a TLB miss (a page walk, two-dimensional under a hypervisor),
// and loading touches them a page fault at a time. docs/performance.md ("Session 6") has the
// measurements: at 100k VMs 30% less CPU, with the same fingerprint. The library itself stays on
// whatever allocator its host program uses.
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc looks it up by name
const char* malloc_conf = "thp:always,metadata_thp:always";
}
