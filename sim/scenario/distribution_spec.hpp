// Reads a distribution from a scenario: a plain duration (`5ms`, a constant) or a mapping
// `{dist: lognormal, median: 40ms, p99: 300ms}`. Values are durations and come out in nanoseconds.
#pragma once

#include "misim/distribution.hpp"
#include "yaml_reader.hpp"

namespace misim::scenario {

Distribution read_duration_distribution(const Document& doc, const YAML::Node& node, const std::string& what);

}  // namespace misim::scenario
