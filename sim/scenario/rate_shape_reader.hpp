// Reads a workload's `profile` (24 hourly multipliers) and `bursts` into a RateShape. Private to
// sim/scenario; used by plain (`stage:`) and call (`from:`) workloads alike.
#pragma once

#include <string>

#include "misim/rate_shape.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

/// Fills `shape` from the workload's `profile` and `bursts` keys, when present.
void read_rate_shape(const Document& doc, const MapReader& workload, const std::string& what, RateShape& shape);

}  // namespace misim::scenario
