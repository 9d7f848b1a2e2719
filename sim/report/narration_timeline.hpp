// The timeline's part of the narration (include/misim/narration.hpp): operations applied to the
// narration's own Directory one by one, each after the directory's impact analysis has said what it
// will break, and told as sentences. Private to sim/report.
//
//   for (each run of timeline operations at one time `at`)
//     for (std::string& s : tell_operations(dir, operations, focus, 3)) say(at, s);
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "misim/directory.hpp"
#include "misim/topology.hpp"
#include "narration_words.hpp"

namespace misim::narration_detail {

/// Applies `operations` (due at one time, in timeline order) to `directory` and tells them: one
/// sentence for the operations of one entry over a template, with their consequences. With a
/// focus, operations on it are told whole, others only for the consequences that name it.
[[nodiscard]] std::vector<std::string> tell_operations(Directory& directory, std::span<const TimedOperation> operations,
                                                       const Focus& focus, std::size_t max_names);

}  // namespace misim::narration_detail
