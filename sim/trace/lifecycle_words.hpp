// Lifecycle events in words, for people reading a converted trace: the names of Chrome instants,
// the `description` column of lifecycle.csv, the notes of sequence diagrams.
//
//   kOperation  -> "delete web-id"                       (RunInfo::operations; "refused: ..." if refused)
//   kFault      -> "AAD outage in eastus from ... begins"
//   kCertificate-> "certificate of web-id rolled"
#pragma once

#include <string>
#include <string_view>

#include "entity_names.hpp"
#include "misim/trace_event.hpp"

namespace misim {

/// True for the kinds lifecycle tables and tracks hold (operations, faults, visibility,
/// replication, certificates); access changes have their own table.
[[nodiscard]] bool is_lifecycle(EventKind kind) noexcept;
/// One word for the event's status: "applied"/"refused", "begins"/"ends", "visible"/"hidden",
/// "replicated", "issued"/"rolled"/"expired", or the access outcome ("granted", "no role assignment").
[[nodiscard]] std::string_view lifecycle_state(const TraceEvent& event) noexcept;
/// The event as a short sentence, appended to `out`.
void describe_lifecycle(std::string& out, const TraceEvent& event, const RunInfo& run, const EntityNames& names);
/// "resource -> target: outcome" for an access change or a call.
void describe_access(std::string& out, const TraceEvent& event, const EntityNames& names);

}  // namespace misim
