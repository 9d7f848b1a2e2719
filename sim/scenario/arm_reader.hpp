// Reads `services: {arm: {latency: ..., limits: {...}}}` (docs/scenarios.md, "ARM"). The timeline's
// `outage: {service: arm}` is read with the other faults (topology_reader.cpp). Private to sim/scenario.
#pragma once

#include "misim/arm_config.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

void read_arm(const Document& doc, const YAML::Node& node, ArmConfig& config);

}  // namespace misim::scenario
