// Exports of the directory's current state (live entities and live role assignments): Graphviz
// DOT to look at, JSON for scripts. Both are deterministic: entities appear in id order, and the
// same directory always gives the same bytes.
//
// DOT: tenants, subscriptions and resource groups are nested clusters; resources are boxes
// (targets drawn as cylinders); a system-assigned identity is a light-blue ellipse beside its
// resource, a user-assigned identity an orange hexagon, a service principal a grey component;
// role assignments are notes on the path principal -> assignment -> scope, and an orphaned one is
// red and dashed, labelled "Identity not found". Node ids are stable: kind letter and id
// ("r12", "i3", "ra7"), so two exports of one run can be diffed.
//
//   std::ofstream("estate.dot") << export_dot(dir);   // dot -Tsvg estate.dot > estate.svg
//   std::cout << export_json(dir);
#pragma once

#include <string>

namespace misim {

class Directory;

/// Graphviz DOT of the live directory.
[[nodiscard]] std::string export_dot(const Directory& directory);

/// JSON of the live directory: {"tenants": [...], "subscriptions": [...], "resource_groups": [...],
/// "resources": [...], "identities": [...], "role_assignments": [...], "federated_credentials":
/// [...], "custom_roles": [...]}; entities refer to each other by name, and carry their GUIDs and
/// ARM ids; an orphaned assignment has "orphaned": true and "principal_object_id" only.
[[nodiscard]] std::string export_json(const Directory& directory);

}  // namespace misim
