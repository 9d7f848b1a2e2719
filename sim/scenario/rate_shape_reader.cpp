#include "rate_shape_reader.hpp"

#include "language.hpp"

namespace misim::scenario {

namespace {
// A multiplier beyond this is almost surely a rate typed where a factor belongs.
constexpr double kMaxFactor = 1e6;
}  // namespace

void read_rate_shape(const Document& doc, const MapReader& workload, const std::string& what, RateShape& shape) {
  if (workload.has("profile")) {
    const YAML::Node profile = workload.get("profile");
    if (!profile.IsSequence() || profile.size() != 24) {
      doc.fail(profile, what +
                            " 'profile' must list 24 multipliers of the rate, one per hour from 00:00, e.g. "
                            "[0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, 1, 2, 3, 3, 2, 2, 2, 2, 2, 1.5, 1, 0.8, 0.6, "
                            "0.5, 0.4, 0.3, 0.2]");
    }
    double total = 0.0;
    for (std::size_t h = 0; h < 24; ++h) {
      shape.hourly[h] = doc.number(profile[h], what + " 'profile' hour " + std::to_string(h), 0.0, kMaxFactor);
      total += shape.hourly[h];
    }
    if (total <= 0.0) doc.fail(profile, what + " 'profile' is zero every hour, so nothing would ever arrive");
  }
  if (workload.has("bursts")) {
    const YAML::Node bursts = workload.get("bursts");
    require_sequence(doc, bursts, what + " 'bursts'");
    for (std::size_t i = 0; i < bursts.size(); ++i) {
      const std::string where = what + " burst #" + std::to_string(i + 1);
      const MapReader b(doc, bursts[i], where, keys(Section::kBurst));
      RateBurst burst;
      burst.start = doc.duration(b.require("at"), where + " 'at'");
      burst.length = doc.duration(b.require("for"), where + " 'for'");
      if (burst.length <= 0) doc.fail(b.get("for"), where + " 'for' must be longer than 0s");
      burst.factor = doc.number(b.require("factor"), where + " 'factor'", 0.0, kMaxFactor);
      shape.bursts.push_back(burst);
    }
  }
}

}  // namespace misim::scenario
