// EntityNames: the trace's entity table as converters need it, names and types by (kind, index).
//
// Entities arrive before the first event that names them, so a converter fills this as it reads
// and resolves every id at once. It is the one table that grows with the trace: O(entities).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "misim/directory_ids.hpp"
#include "misim/trace_file.hpp"

namespace misim {

class EntityNames {
 public:
  void add(const TraceEntity& entity);
  /// The entity's name; empty for kNoEntity or an entity the trace never announced.
  [[nodiscard]] std::string_view name(EntityKind kind, std::uint32_t index) const noexcept;
  [[nodiscard]] std::string_view type(EntityKind kind, std::uint32_t index) const noexcept;
  /// The name, or `kind#index` for an entity the trace never announced, "" for kNoEntity.
  void append_name(std::string& out, EntityKind kind, std::uint32_t index) const;
  [[nodiscard]] std::size_t size() const noexcept;

 private:
  struct Names {
    std::vector<std::string> name;
    std::vector<std::string> type;
  };
  std::array<Names, kEntityKindCount> by_kind_;
};

}  // namespace misim
