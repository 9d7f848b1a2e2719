// What ARM did with the timeline's operations (docs/model.md, "ARM"; summary.json's `arm`).
#pragma once

#include <cstdint>

#include "misim/histogram.hpp"
#include "misim/time.hpp"

namespace misim {

struct ArmStatistics {
  std::uint64_t operations = 0;            // issued by the timeline
  std::uint64_t effects = 0;               // took effect (applied, or refused by the directory's rules)
  std::uint64_t failed = 0;                // failed at ARM: issued or retried during an outage in `errors` mode
  std::uint64_t throttled = 0;             // 429 answers (one operation may get several)
  std::uint64_t throttled_operations = 0;  // operations that got at least one 429
  SimTime throttle_delay = 0;              // the time 429s added, summed over operations
  std::uint64_t held_by_outages = 0;       // operations that waited for a silent outage to end
  /// From issue to effect (or to failure), of every operation that ended.
  Histogram delay;
};

}  // namespace misim
