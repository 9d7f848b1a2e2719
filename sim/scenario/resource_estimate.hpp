// The resource guard: a running estimate of what a scenario's run will need, added to as the
// loader reads each count and BEFORE it expands a template or builds anything, so an absurd
// scenario (1e15 VMs, a million identities times a million scopes) is refused at the count that
// makes it absurd, in microseconds, instead of exhausting the machine. docs/reliability.md gives
// the bytes per entity and how they were measured.
//
//   ResourceBudget budget(doc, limit);
//   budget.add(Cost::kResource, count, m.get("count"), "resource template 'web'");  // may throw LoadAbort
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "misim/scenario.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

/// What a scenario is made of, each with its calibrated cost in bytes (resource_estimate.cpp).
enum class Cost : std::uint8_t {
  kResource,
  kIdentity,        // user-assigned or a service principal
  kSystemIdentity,  // a resource's system-assigned identity
  kAttachment,
  kRoleAssignment,
  kCallingResource,
  kOperation,
  kQueuedRequest,
  kPendingEvent,
  kStage,
};

class ResourceBudget {
 public:
  ResourceBudget(const Document& doc, std::uint64_t limit);

  /// Counts `n` of `cost` and fails at `at` when the estimate passes the limit; `what` names the
  /// part of the scenario (e.g. "resource template 'web'") in the message.
  void add(Cost cost, std::uint64_t n, const YAML::Node& at, std::string_view what);
  void add(Cost cost, std::uint64_t n, const SourcePlace& at, std::string_view what);

  [[nodiscard]] const ResourceEstimate& estimate() const noexcept { return estimate_; }
  [[nodiscard]] std::uint64_t limit() const noexcept { return limit_; }

 private:
  const Document& doc_;
  std::uint64_t limit_;
  ResourceEstimate estimate_;
};

/// a + b and a * b, stopping at the largest uint64 instead of wrapping: counts multiply (a template
/// of templates, principals x scopes) and must not wrap to a small number.
[[nodiscard]] std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b);
[[nodiscard]] std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b);

}  // namespace misim::scenario
