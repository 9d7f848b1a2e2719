// Arm: ARM (Azure Resource Manager) as a stage between a timeline operation and its effect
// (include/misim/arm_config.hpp; docs/model.md, "ARM"). Private to sim/model: the Simulation
// submits each timeline operation when it is issued and applies it when Arm answers.
//
// An operation reaches ARM when issued. During an outage in `errors` mode it fails; in `timeouts`
// mode it waits for the end of the outage (the issuer's retries get no answer until then). Then
// the rate limits: an identity creation or role-assignment write beyond its window's limit, in its
// subscription and region or its tenant and region, is answered 429 with a Retry-After of the time
// until the window admits one more (whole seconds), and the issuer tries again then. Admitted, it
// takes effect `latency` later. With the defaults (latency 0, no outage, under the limits) the
// answer comes at once, inside submit(), so an operation takes effect at its issue time.
//
//   Arm arm(engine, config.token_path.arm, seed, recorder, first_fault, operations,
//           [this](std::uint32_t op, bool ok) { ok ? take_effect(op) : fail(op); });
//   arm.submit(op, scopes.classify(directory, operation));
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "misim/arm_config.hpp"
#include "misim/arm_results.hpp"
#include "misim/directory.hpp"
#include "misim/directory_operation.hpp"
#include "misim/engine.hpp"
#include "misim/random.hpp"
#include "misim/token_path_config.hpp"
#include "misim/topology.hpp"
#include "misim/trace_event.hpp"

namespace misim {

/// Which rate limit an operation counts against (azure-facts.md:52).
enum class ArmLimitClass : std::uint8_t { kNone, kIdentityCreation, kRoleAssignment, kAttachment };

/// What the rate limits need to know of one operation: its class and the windows it counts in.
struct ArmRequest {
  ArmLimitClass limit = ArmLimitClass::kNone;
  std::uint64_t subscription_window = 0;  // (subscription, region); 0 when it has no subscription
  std::uint64_t tenant_window = 0;        // (tenant, region)
};

/// Places operations in their subscription, tenant and region. misim's resources carry no
/// location: a resource an AAD region lists (`aad: {regions: [{name, resources}]}`) is in that
/// region, anything else in the first region. Names the directory does not know yet (created by a
/// timeline operation still in flight at ARM) are looked up in the timeline's own create operations.
class ArmScopes {
 public:
  /// Keeps views of the names in `timeline` and `regions`, which must outlive it. Indexes them only
  /// when the timeline has an operation the `limits` count (a fleet's deletions need nothing).
  ArmScopes(const std::vector<TimedOperation>& timeline, const std::vector<AadRegionConfig>& regions,
            const ArmLimits& limits);
  [[nodiscard]] ArmRequest classify(const Directory& directory, const DirectoryOperation& operation) const;

 private:
  /// The subscription and tenant `name` lives in (a resource group, resource, identity,
  /// subscription or tenant); false when unknown.
  bool place(const Directory& directory, std::string_view name, std::uint32_t& subscription, std::uint32_t& tenant,
             int depth) const;
  [[nodiscard]] std::uint32_t region_of(std::string_view name) const;

  std::unordered_map<std::string_view, std::string_view> created_in_;  // timeline-created -> group or parent
  std::unordered_map<std::string_view, std::uint32_t> region_;         // listed resource -> region index
  bool attachments_counted_ = false;                                   // ArmAssignments::kIdentityAttachments
};

class Arm {
 public:
  /// Called when an operation takes effect (true) or fails at ARM (false).
  using Answer = std::function<void(std::uint32_t op, bool ok)>;

  /// `first_fault`: the index of the first ARM outage in RunInfo::faults (after the token path's).
  Arm(Engine& engine, const ArmConfig& config, std::uint64_t seed, Recorder& recorder, std::uint32_t first_fault,
      std::size_t operations, Answer answer);
  Arm(const Arm&) = delete;
  Arm& operator=(const Arm&) = delete;

  /// The timeline issues operation `op` now.
  void submit(std::uint32_t op, const ArmRequest& request);

  /// An operation without a rate limit issued now would take effect inside submit(): no latency,
  /// no outage in force.
  [[nodiscard]] bool passes_at_once() const noexcept { return instant_ && errors_ == 0 && silent_ == 0; }
  /// Operation `next`'s effect is the engine's next event after `op`'s, at the same time: a run of
  /// deletions can leave the directory in one pass (Directory::begin_deletions).
  [[nodiscard]] bool effect_follows(std::uint32_t op, std::uint32_t next) const noexcept;
  /// When `op` was issued, and the 429s it got.
  [[nodiscard]] SimTime issued(std::uint32_t op) const noexcept { return ops_[op].issued; }
  [[nodiscard]] std::uint32_t throttles(std::uint32_t op) const noexcept { return ops_[op].throttles; }
  [[nodiscard]] const ArmStatistics& statistics() const noexcept { return stats_; }
  /// "ARM outage from 02:00:00.000 to 02:30:00.000", ... for RunInfo::faults.
  [[nodiscard]] std::vector<std::string> describe_outages() const;

 private:
  /// The admissions of one window: the last `limit` admission times, oldest first (a ring).
  struct Window {
    std::vector<SimTime> times;
    std::size_t oldest = 0;
  };
  struct Operation {
    SimTime issued = 0;
    SimTime effect_at = -1;
    std::uint64_t effect_sequence = 0;  // 0: not scheduled (answered at once, waiting or failed)
    std::uint32_t throttles = 0;
    SimTime first_throttled = 0;  // when the first 429 came
    ArmRequest request;
  };

  /// The operation reaches ARM (first try, retry after 429, or back from a silent outage).
  void arrive(std::uint32_t op);
  /// 0 when the windows admit `request` now, else how long until they do.
  [[nodiscard]] SimTime wait_for_window(const ArmRequest& request, SimTime now);
  void admit(const ArmRequest& request, SimTime now);
  void finish(std::uint32_t op, bool ok);
  void schedule_outage(std::uint32_t index);
  [[nodiscard]] std::uint32_t limit(ArmLimitClass c, bool tenant) const noexcept;

  Engine& engine_;
  ArmConfig config_;
  RandomStream latency_;
  Recorder& recorder_;
  std::uint32_t first_fault_;
  Answer answer_;
  bool instant_;  // latency is the constant 0
  int errors_ = 0;
  int silent_ = 0;
  std::vector<std::uint32_t> held_;  // operations waiting for a silent outage to end, in order
  std::vector<Operation> ops_;
  std::unordered_map<std::uint64_t, Window> windows_;
  std::uint64_t sequence_ = 0;
  ArmStatistics stats_;
};

}  // namespace misim
