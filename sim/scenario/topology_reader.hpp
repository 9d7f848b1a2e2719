// Reads the `topology:` and `timeline:` sections into a TopologyConfig and timed operations,
// expanding `count` templates (web x 3 -> web-0, web-1, web-2), and checks them by building a
// scratch Directory so that every lifecycle error is reported at the line that caused it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "misim/token_path_config.hpp"
#include "misim/topology.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

struct TopologyReading {
  TopologyConfig topology;
  std::vector<TimedOperation> timeline;  // sorted by time, stable
  std::vector<FaultConfig> faults;
  /// Template name -> instance names.
  std::map<std::string, std::vector<std::string>, std::less<>> templates;
};

/// `topology` and `timeline` may be undefined nodes (absent sections).
TopologyReading read_topology_and_timeline(const Document& doc, const YAML::Node& topology, const YAML::Node& timeline,
                                           std::uint64_t seed, SimTime duration);

}  // namespace misim::scenario
