// Reads the token path's parts of a scenario: the services `imds`, `aad`, `mirp` and
// `propagation`, workload entries with `from:` (application calls to a target), and `access`
// expectations. Private to sim/scenario.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "misim/scenario.hpp"
#include "misim/token_path_config.hpp"
#include "misim/topology.hpp"
#include "resource_estimate.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

/// Whether a `services:` entry of this name configures the token path (not a plain station).
[[nodiscard]] bool is_token_service(std::string_view name);

void read_token_service(const Document& doc, const std::string& name, const YAML::Node& node, TokenPathConfig& config);

/// What the topology created, for checking references: resource name -> type name, identity names.
/// Hash tables of views into the estate's operations (which outlive them): a fleet's workloads
/// look up millions of callers, each a string compare or twenty in an ordered map.
struct EstateNames {
  std::unordered_map<std::string_view, std::string_view> resources;
  std::unordered_set<std::string_view> identities;
  /// Template name -> instance names: the topology reader's, not a copy (millions of names).
  const std::map<std::string, std::vector<std::string>, std::less<>>* templates = nullptr;
};

[[nodiscard]] EstateNames estate_names(const TopologyConfig& topology, const std::vector<TimedOperation>& timeline,
                                       const std::map<std::string, std::vector<std::string>, std::less<>>& templates);

/// The resources each AAD region of `services:` names (`{name: eu, resources: [web]}`): checked
/// against the estate and expanded over templates; a resource may be in one region only.
void check_region_resources(const Document& doc, const YAML::Node& services, const EstateNames& estate, AadConfig& aad);

/// A `from:` workload; its calling resources are counted in `budget` before they are expanded.
CallWorkloadConfig read_call_workload(const Document& doc, const YAML::Node& node, std::size_t index,
                                      const EstateNames& estate, const TokenPathConfig& config, ResourceBudget& budget);

/// `{access: web-0 -> vault, granted_until: 2h}` and the like, expanded over templates (counted in
/// `budget` first).
std::vector<AccessExpectation> read_access_expectation(const Document& doc, const YAML::Node& node, std::size_t index,
                                                       const EstateNames& estate, ResourceBudget& budget);

}  // namespace misim::scenario
