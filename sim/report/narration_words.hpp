// Words for the narration (include/misim/narration.hpp): nouns for entities and resource types,
// lists of names that abbreviate, numbers as people read them; and what --focus keeps. Private to
// sim/report.
//
//   group(dir, {web0, web1, web2, web3, web4}, 3);   // "5 VMs (web-0 ... web-4)"
//   thing(dir, sa_of_web0);                          // "the system-assigned identity of web-0"
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "misim/directory.hpp"

namespace misim::narration_detail {

/// What --focus selects: a name, and the instances of a template of that name (web: web-0, web-1).
class Focus {
 public:
  explicit Focus(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] bool everything() const noexcept { return name_.empty(); }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] bool matches(std::string_view name) const noexcept {
    if (name_.empty() || name == name_) return true;
    if (name.size() < name_.size() + 2 || name.substr(0, name_.size()) != name_ || name[name_.size()] != '-') {
      return false;
    }
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(name_.size()) + 1, name.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  }

 private:
  std::string name_;
};

/// The entities that concern the focus: all of them when `whole` (the sentence is about the focus).
[[nodiscard]] std::vector<EntityRef> concerning(const Directory& d, const Focus& focus, std::vector<EntityRef> items,
                                                bool whole);

/// Items in first-seen order of their key, each key with its items.
template <class Key, class Item>
class Grouping {
 public:
  void add(const Key& key, Item item) {
    auto [it, fresh] = index_.try_emplace(key, groups_.size());
    if (fresh) groups_.push_back({key, {}});
    groups_[it->second].second.push_back(std::move(item));
  }
  [[nodiscard]] const std::vector<std::pair<Key, std::vector<Item>>>& groups() const noexcept { return groups_; }

 private:
  std::map<Key, std::size_t> index_;
  std::vector<std::pair<Key, std::vector<Item>>> groups_;
};

template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

[[nodiscard]] inline std::string verb(std::size_t n, std::string_view one, std::string_view many) {
  return std::string(n == 1 ? one : many);
}

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
