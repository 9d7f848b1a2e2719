// Narration: a scenario's run told in plain sentences stamped with simulated time, for teaching
// (`misim explain`, design.md's third user).
//
// It tells the estate at the start, then each timeline operation at its time with its consequences,
// computed by the directory's impact analysis before the operation is applied (what is deleted with
// it, which resources lose an identity, which role assignments are orphaned, which accesses are
// lost; for attachments and assignments, the accesses gained), the workloads and outages, when
// application calls are first denied at a target, and at the end the stages' statistics and the
// token path's counts. Operations of one timeline entry over a template (delete: web) are told in
// one sentence; lists longer than a few names are abbreviated ("5 VMs (web-0 ... web-4)").
//
//   Result<Narration> n = narrate(*scenario, {.focus = "web-id"});
//   if (n) std::cout << n->text();
//   // 00:00:00.000 user-assigned identity web-id in rg-web is attached to 5 VMs (web-0 ... web-4)
//   // 02:00:00.000 user-assigned identity web-id deleted; it is detached from 5 VMs (web-0 ... web-4); ...
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "misim/result.hpp"
#include "misim/scenario.hpp"
#include "misim/time.hpp"

namespace misim {

struct NarrationOptions {
  /// Tell only what concerns this entity, stage or workload: operations on it, and consequences
  /// that name it. A count template's name (web) stands for its instances (web-0, web-1, ...).
  /// Empty: everything.
  std::string focus{};
  /// Lists of more names than this show the first and the last: "web-0 ... web-99".
  std::size_t max_names = 3;
};

/// One sentence at its simulated time.
struct NarrationLine {
  SimTime at = 0;
  std::string text;
};

struct Narration {
  /// In time order; sentences at the same time in the order things happen.
  std::vector<NarrationLine> lines;
  /// Each line as "HH:MM:SS.mmm sentence\n" (format_clock).
  [[nodiscard]] std::string text() const;
};

/// Replays the scenario's topology and timeline on a directory of its own (impact before each
/// operation, then the operation), and runs the simulation when the scenario has stages or
/// workloads, for what they measured. When ARM can delay or fail an operation (an ARM outage, a
/// latency, more operations than a rate limit), the simulation runs first, and each operation is
/// told at its effect, with what ARM did to it: its issue time, its 429s, a failure (503) or a wait
/// in an outage. Errors: a focus that names nothing in the scenario.
[[nodiscard]] Result<Narration> narrate(const Scenario& scenario, const NarrationOptions& options = {});

}  // namespace misim
