#include "entity_names.hpp"

#include <charconv>

#include "misim/trace_event.hpp"

namespace misim {

namespace {
std::size_t slot(EntityKind kind) noexcept { return static_cast<std::size_t>(kind); }
}  // namespace

void EntityNames::add(const TraceEntity& entity) {
  if (slot(entity.kind) >= by_kind_.size()) return;  // a kind from a newer minor version
  Names& names = by_kind_[slot(entity.kind)];
  if (entity.index >= names.name.size()) {
    names.name.resize(entity.index + 1);
    names.type.resize(entity.index + 1);
  }
  names.name[entity.index] = entity.name;
  names.type[entity.index] = entity.type;
}

std::string_view EntityNames::name(EntityKind kind, std::uint32_t index) const noexcept {
  if (slot(kind) >= by_kind_.size()) return {};
  const Names& names = by_kind_[slot(kind)];
  return index < names.name.size() ? std::string_view{names.name[index]} : std::string_view{};
}

std::string_view EntityNames::type(EntityKind kind, std::uint32_t index) const noexcept {
  if (slot(kind) >= by_kind_.size()) return {};
  const Names& names = by_kind_[slot(kind)];
  return index < names.type.size() ? std::string_view{names.type[index]} : std::string_view{};
}

void EntityNames::append_name(std::string& out, EntityKind kind, std::uint32_t index) const {
  if (index == kNoEntity) return;
  const std::string_view known = name(kind, index);
  if (!known.empty()) {
    out += known;
    return;
  }
  out += to_string(kind);
  out += '#';
  char digits[16];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, index);
  out.append(digits, end);
}

std::size_t EntityNames::size() const noexcept {
  std::size_t n = 0;
  for (const Names& names : by_kind_) n += names.name.size();
  return n;
}

}  // namespace misim
