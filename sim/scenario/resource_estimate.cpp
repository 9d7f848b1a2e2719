#include "resource_estimate.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>

namespace misim::scenario {

namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;

// Bytes of peak memory (resident set) per entity of a run, measured with /usr/bin/time -v on a
// Release build (g++ 12): `misim run` of scenarios holding 100,000 and 300,000 of each, the cost
// being the slope between the two so the fixed part cancels (docs/reliability.md, "Calibration",
// has the runs). Each includes the scenario's own record (a DirectoryOperation and its names), the
// loader's scratch directory (freed, but kept by the allocator), the run's directory and the
// model's state. Measured -> used: the used figure is about 1.3 times the measured one, so the
// estimate errs towards refusing a run that would only just fit.
constexpr std::uint64_t kBytesPerResource = 1250;        // measured 958
constexpr std::uint64_t kBytesPerSystemIdentity = 610;   // measured 469 (a resource's own identity)
constexpr std::uint64_t kBytesPerIdentity = 1850;        // measured 1,422 (user-assigned: a resource of its own)
constexpr std::uint64_t kBytesPerAttachment = 1050;      // measured 813
constexpr std::uint64_t kBytesPerRoleAssignment = 1550;  // measured 1,195
constexpr std::uint64_t kBytesPerCallingResource = 650;  // measured 615 with its 2 pending events (176 B apart)
// A timeline operation or an access expectation, after expansion: mostly its entry in summary.json
// and report.html (measured 2,020 B per operation of a `delete:` over 100,000 VMs, 2,245 B per
// expectation of `access: web -> vault` over 100,000).
constexpr std::uint64_t kBytesPerOperation = 2900;
// A waiting request is a 24-byte record in a ring buffer that doubles when full (station.hpp).
constexpr std::uint64_t kBytesPerQueuedRequest = 48;
// A pending event: a 64-byte slot and a 24-byte heap entry (docs/architecture.md).
constexpr std::uint64_t kBytesPerPendingEvent = 88;
// A stage of its own: its statistics (histograms over the range of times seen) and the report's
// charts; measured 80 KiB at 1 request/s and 450 KiB at 100 requests/s per stage (2,000 stages).
constexpr std::uint64_t kBytesPerStage = 512 * kKiB;
// What a run uses before the scenario adds anything: the fixed part of the fits, 8-25 MiB.
constexpr std::uint64_t kBaseBytes = 24 * kMiB;

struct CostRow {
  std::uint64_t bytes;
  std::uint64_t ResourceEstimate::*count;
  const char* noun;
};

const CostRow& row(Cost cost) {
  static const CostRow kRows[] = {
      {kBytesPerResource, &ResourceEstimate::resources, "resources"},
      {kBytesPerIdentity, &ResourceEstimate::identities, "identities"},
      {kBytesPerSystemIdentity, &ResourceEstimate::identities, "system-assigned identities"},
      {kBytesPerAttachment, &ResourceEstimate::attachments, "identity attachments"},
      {kBytesPerRoleAssignment, &ResourceEstimate::role_assignments, "role assignments"},
      {kBytesPerCallingResource, &ResourceEstimate::calling_resources, "calling resources"},
      {kBytesPerOperation, &ResourceEstimate::operations, "operations"},
      {kBytesPerQueuedRequest, &ResourceEstimate::queued_requests, "queued requests"},
      {kBytesPerPendingEvent, &ResourceEstimate::pending_events, "pending events"},
      {kBytesPerStage, &ResourceEstimate::stages, "stages"},
  };
  return kRows[static_cast<std::size_t>(cost)];
}

/// 12,345,678
std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string counts(const ResourceEstimate& e) {
  std::string out;
  for (Cost c : {Cost::kResource, Cost::kIdentity, Cost::kAttachment, Cost::kRoleAssignment, Cost::kCallingResource,
                 Cost::kOperation, Cost::kQueuedRequest, Cost::kPendingEvent, Cost::kStage}) {
    const std::uint64_t n = e.*row(c).count;
    if (n == 0) continue;
    out += (out.empty() ? "" : ", ") + with_commas(n) + " " + row(c).noun;
  }
  return out;
}

/// The first number in a file such as /proc/meminfo's "MemTotal: 24683620 kB" line, or 0.
std::uint64_t read_number(const char* path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::size_t digit = line.find_first_of("0123456789", prefix.size());
    if (digit == std::string::npos) return 0;
    std::uint64_t value = 0;
    std::from_chars(line.data() + digit, line.data() + line.size(), value);
    return value;
  }
  return 0;
}

}  // namespace

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > std::numeric_limits<std::uint64_t>::max() / b ? std::numeric_limits<std::uint64_t>::max() : a * b;
}

ResourceBudget::ResourceBudget(const Document& doc, std::uint64_t limit) : doc_(doc), limit_(limit) {
  estimate_.bytes = kBaseBytes;
}

void ResourceBudget::add(Cost cost, std::uint64_t n, const YAML::Node& at, std::string_view what) {
  add(cost, n, doc_.place(at), what);
}

void ResourceBudget::add(Cost cost, std::uint64_t n, const SourcePlace& at, std::string_view what) {
  const CostRow& r = row(cost);
  estimate_.*r.count = saturating_add(estimate_.*r.count, n);
  const std::uint64_t bytes = saturating_mul(n, r.bytes);
  estimate_.bytes = saturating_add(estimate_.bytes, bytes);
  if (estimate_.bytes <= limit_) return;
  doc_.fail(at, "this scenario would need about " + format_memory_size(estimate_.bytes) +
                    " of memory, above the limit of " + format_memory_size(limit_) +
                    " (--max-memory): " + std::string(what) + " here adds " + with_commas(n) + " " + r.noun + " (" +
                    format_memory_size(bytes) + "); in all so far " + counts(estimate_) +
                    ". Lower the count, or raise --max-memory if the machine has the memory");
}

}  // namespace misim::scenario

namespace misim {

std::uint64_t default_max_memory() {
  // MemTotal, or a smaller limit of the cgroup this process runs in (a container): v2, then v1.
  std::uint64_t total = scenario::saturating_mul(scenario::read_number("/proc/meminfo", "MemTotal:"), 1024);
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    const std::uint64_t cgroup = scenario::read_number(path, "");
    if (cgroup > 0 && (total == 0 || cgroup < total)) total = cgroup;
  }
  if (total == 0) {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page = ::sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0) total = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
  }
  if (total == 0) total = 8 * scenario::kGiB;  // nothing to go by: assume a small machine
  return total / 2;
}

Result<std::uint64_t> parse_memory_size(std::string_view text) {
  const auto bad = [&text](const std::string& why) {
    return Error{"memory size '" + std::string(text) + "' " + why + "; write e.g. 512MiB, 4GiB or 2GB", {}};
  };
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || !std::isfinite(value) || value <= 0) return bad("needs a positive number");
  std::string unit(ptr, end);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
  struct Unit {
    const char* name;
    double bytes;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", 1024.0},
      {"kib", 1024.0},
      {"kb", 1e3},
      {"m", 1048576.0},
      {"mib", 1048576.0},
      {"mb", 1e6},
      {"g", 1073741824.0},
      {"gib", 1073741824.0},
      {"gb", 1e9},
      {"t", 1099511627776.0},
      {"tib", 1099511627776.0},
      {"tb", 1e12},
  };
  for (const Unit& u : kUnits) {
    if (unit != u.name) continue;
    const double bytes = value * u.bytes;
    if (bytes >= 1.8e19) return bad("is too large");
    if (bytes < 1) return bad("is less than a byte");
    return static_cast<std::uint64_t>(bytes);
  }
  return bad("has an unknown unit '" + std::string(ptr, end) + "' (B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)");
}

std::string format_memory_size(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  std::size_t u = 0;
  while (value >= 1024.0 && u + 1 < std::size(units)) {
    value /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0 || value >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f %s", value, units[u]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", value, units[u]);
  }
  return buf;
}

}  // namespace misim
