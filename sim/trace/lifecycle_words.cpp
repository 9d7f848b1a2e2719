#include "lifecycle_words.hpp"

#include "misim/token_path_results.hpp"

namespace misim {

bool is_lifecycle(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::kOperation:
    case EventKind::kFault:
    case EventKind::kRoleVisibility:
    case EventKind::kIdentityReplicated:
    case EventKind::kCertificate:
      return true;
    default:
      return false;
  }
}

std::string_view lifecycle_state(const TraceEvent& e) noexcept {
  switch (e.kind) {
    case EventKind::kOperation:
      return e.status == 1 ? "applied" : "refused";
    case EventKind::kFault:
      return e.status == 1 ? "begins" : "ends";
    case EventKind::kRoleVisibility:
      return e.status == 1 ? "visible" : "hidden";
    case EventKind::kIdentityReplicated:
      return "replicated";
    case EventKind::kCertificate:
      return e.status == 1 ? "issued" : e.status == 2 ? "rolled" : e.status == 3 ? "roll failed" : "expired";
    case EventKind::kAccessChange:
    case EventKind::kCall:
      return to_string(static_cast<AccessOutcome>(e.status));
    default:
      return to_string(e.kind);
  }
}

namespace {
/// The text at `index` of a RunInfo list, or "<what> #index" when the header lacks it.
void append_listed(std::string& out, const std::vector<std::string>& list, std::uint32_t index, std::string_view what) {
  if (index < list.size()) {
    out += list[index];
    return;
  }
  out += what;
  out += " #";
  out += std::to_string(index);
}
}  // namespace

void describe_lifecycle(std::string& out, const TraceEvent& e, const RunInfo& run, const EntityNames& names) {
  switch (e.kind) {
    case EventKind::kOperation:
      if (e.status != 1) out += "refused: ";
      append_listed(out, run.operations, e.count, "operation");
      return;
    case EventKind::kFault:
      append_listed(out, run.faults, e.count, "fault");
      out += e.status == 1 ? " begins" : " ends";
      return;
    case EventKind::kRoleVisibility: {
      out += "role assignment ";
      names.append_name(out, EntityKind::kRoleAssignment, e.entity);
      const std::string_view role = names.type(EntityKind::kRoleAssignment, e.entity);
      if (!role.empty()) {
        out += " (";
        out += role;
        out += ')';
      }
      out += " of ";
      names.append_name(out, EntityKind::kIdentity, e.identity);
      out += e.status == 1 ? " visible to targets" : " no longer visible to targets";
      return;
    }
    case EventKind::kIdentityReplicated:
      names.append_name(out, EntityKind::kIdentity, e.identity);
      out += " replicated to the token endpoints";
      return;
    case EventKind::kCertificate:
      out += "certificate of ";
      names.append_name(out, EntityKind::kIdentity, e.identity);
      out += ' ';
      out += lifecycle_state(e);
      return;
    case EventKind::kAccessChange:
    case EventKind::kCall:
      describe_access(out, e, names);
      return;
    default:
      out += to_string(e.kind);
      return;
  }
}

void describe_access(std::string& out, const TraceEvent& e, const EntityNames& names) {
  names.append_name(out, EntityKind::kResource, e.resource);
  out += " -> ";
  names.append_name(out, EntityKind::kResource, e.target);
  out += e.status == 0 ? ": " : ": denied, ";
  out += lifecycle_state(e);
}

}  // namespace misim
