// Reads the `topology:` and `timeline:` sections into a TopologyConfig and timed operations,
// expanding `count` templates (web x 3 -> web-0, web-1, web-2), and checks them by building a
// scratch Directory so that every lifecycle error is reported at the line that caused it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "misim/token_path_config.hpp"
#include "misim/topology.hpp"
#include "resource_estimate.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

struct TopologyReading {
  TopologyConfig topology;
  std::vector<TimedOperation> timeline;  // sorted by time, stable
  std::vector<FaultConfig> faults;
  std::vector<SourcePlace> fault_region_places;  // per fault: where its `region` is written, if it is
  std::vector<ArmOutage> arm_outages;            // `outage: {service: arm}`, kept apart from the token path's faults
  /// Template name -> instance names.
  std::map<std::string, std::vector<std::string>, std::less<>> templates;
  /// Where each part was written, for check_estate's errors.
  std::vector<SourcePlace> tenant_places;
  std::vector<SourcePlace> subscription_places;
  /// Each distinct place once: a template's thousands of operations share the text that made them.
  std::vector<SourcePlace> places;
  std::vector<std::uint32_t> operation_places;  // per topology operation, an index into places
  std::vector<std::uint32_t> timeline_places;   // per timeline operation, an index into places
};

/// Reads the sections; `topology` and `timeline` may be undefined nodes (absent sections). Every
/// count is added to `budget` before its template is expanded.
TopologyReading read_topology_and_timeline(const Document& doc, const YAML::Node& topology, const YAML::Node& timeline,
                                           SimTime duration, ResourceBudget& budget);

/// Every region a fault names must be one of AAD's (read after the timeline, from `services:`).
void check_fault_regions(const Document& doc, const std::vector<FaultConfig>& faults,
                         const std::vector<SourcePlace>& region_places, const AadConfig& aad);

/// Replays the topology and then the timeline on a scratch directory: every lifecycle error
/// (unknown names, attaching twice, limits, ...) is reported where the scenario caused it.
void check_estate(const Document& doc, const TopologyReading& reading, std::uint64_t seed);

}  // namespace misim::scenario
