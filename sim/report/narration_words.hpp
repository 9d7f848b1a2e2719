// Words for the narration (include/misim/narration.hpp): nouns for entities and resource types,
// lists of names that abbreviate, numbers as people read them. Private to sim/report.
//
//   group(dir, {web0, web1, web2, web3, web4}, 3);   // "5 VMs (web-0 ... web-4)"
//   thing(dir, sa_of_web0);                          // "the system-assigned identity of web-0"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "misim/directory.hpp"

namespace misim::narration_detail {

/// "VM" or "VMs", "key vault" or "key vaults", ...; an unknown type's name with spaces.
[[nodiscard]] std::string type_noun(std::string_view type, std::size_t count);

/// What an entity is: "VM", "user-assigned identity", "resource group", "role assignment", ...
[[nodiscard]] std::string noun_of(const Directory& d, EntityRef e, std::size_t count = 1);

/// An entity with what it is: "VM web-0", "user-assigned identity web-id", "the system-assigned
/// identity of web-0", "role assignment web-kv", "role assignment Reader on vault for web-0".
[[nodiscard]] std::string thing(const Directory& d, EntityRef e);

/// A role granted at a scope: "Key Vault Secrets User on vault".
[[nodiscard]] std::string grant(const Directory& d, RoleDefinitionId role, EntityRef scope);

/// "1 VM", "5 VMs".
[[nodiscard]] std::string counted(std::size_t n, std::string_view singular, std::string_view plural);

/// "a", "a, b and c", or beyond `max_names` the first and the last: "a ... z".
[[nodiscard]] std::string name_list(const std::vector<std::string>& names, std::size_t max_names);

/// Entities as one phrase: one is thing(); several "5 VMs (web-0 ... web-4)", in "resources",
/// "identities" or "entities" when their kinds differ.
[[nodiscard]] std::string group(const Directory& d, const std::vector<EntityRef>& items, std::size_t max_names);

/// "a", "a and b", "a, b and c".
[[nodiscard]] std::string joined_with_and(const std::vector<std::string>& parts);

/// A duration in nanoseconds as milliseconds (or seconds from 10 s) with three significant digits.
[[nodiscard]] std::string milliseconds(double ns);

/// "58.1%".
[[nodiscard]] std::string percent(double fraction);

}  // namespace misim::narration_detail
