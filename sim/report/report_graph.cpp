// report.html, "Identity graph": the estate at the end of the run in four columns, resources ->
// identities -> role assignments -> scopes. A small estate is drawn entity by entity; a large one
// in groups (the instances of a template, "web-* x10,000 vm", the system-assigned identities of a
// group, the assignments of one role from one principal group to one scope), so 10,000 VMs are
// one box, never 10,000.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "misim/directory.hpp"
#include "report_sections.hpp"

namespace misim::report {

namespace {

// Up to this many entities (resources, identities and assignments together) get a box each.
constexpr std::size_t kEntitiesApart = 80;
// Boxes per column; the rest are summed in one "more" box.
constexpr std::size_t kBoxesPerColumn = 30;
constexpr double kColumnWidth = 250;
constexpr double kColumnGap = 80;
constexpr double kBoxHeight = 34;
constexpr double kRowPitch = 44;
constexpr double kTop = 34;
constexpr std::size_t kLabelChars = 34;

enum Column { kResources, kIdentities, kAssignments, kScopes };
constexpr std::size_t kColumnCount = 4;
constexpr std::array<std::string_view, kColumnCount> kColumnTitles = {"resources", "identities", "role assignments",
                                                                      "scopes"};

struct Box {
  std::string label;
  std::string kind;   // the line under the label: type, identity kind, role
  std::string style;  // CSS class: resource, system, user, principal, assignment, orphan, scope, more
  std::uint64_t count = 0;
  std::string first;  // the first and last member's names, for the hover text
  std::string last;
};

struct Link {
  std::size_t from_column, from, to_column, to;
  bool orphaned = false;
};

/// A name without its instance number: "web-17" -> "web", the template it came from.
std::string stem(std::string_view name) {
  std::size_t end = name.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(name[end - 1])) != 0) --end;
  if (end == name.size() || end == 0) return std::string(name);
  if (name[end - 1] == '-' || name[end - 1] == '_') --end;
  return std::string(name.substr(0, end));
}

class GraphBuilder {
 public:
  GraphBuilder(const Directory& dir, bool apart) : dir_(dir), apart_(apart) {}

  void build() {
    for (std::uint32_t i = 0; i < dir_.count(EntityKind::kResource); ++i) {
      const ResourceId r(i);
      if (!dir_.alive(r)) continue;
      const ResourceTypeInfo& type = dir_.type_of(r);
      const std::vector<IdentityId> identities = dir_.identities_of(r);
      if (type.target && identities.empty()) continue;  // drawn as a scope
      std::string key = resource_key(r);
      std::vector<std::size_t> identity_boxes;
      for (IdentityId id : identities) identity_boxes.push_back(identity_box(id, key));
      for (std::size_t b : identity_boxes) key += "|" + std::to_string(b);
      const std::string name(dir_.name(r));
      const std::size_t box = add_named(kResources, key, apart_ ? name : stem(name), type.name, "resource", r, name);
      for (std::size_t b : identity_boxes) link(kResources, box, kIdentities, b);
    }
    for (std::uint32_t i = 0; i < dir_.count(EntityKind::kIdentity); ++i) {
      const IdentityId id(i);
      if (dir_.alive(id) && dir_.identity(id).kind != IdentityKind::kSystemAssigned) identity_box(id, "");
    }
    for (std::uint32_t i = 0; i < dir_.count(EntityKind::kRoleAssignment); ++i) {
      const RoleAssignmentId a(i);
      if (!dir_.alive(a)) continue;
      const RoleAssignment& ra = dir_.role_assignment(a);
      const bool orphaned = dir_.is_orphaned(a);
      const std::size_t scope = scope_box(ra.scope);
      const std::string role = dir_.roles().role(ra.role).name;
      std::size_t principal = SIZE_MAX;
      if (!orphaned) principal = identity_box(ra.principal, "");
      const std::string key = (orphaned ? "orphan" : std::to_string(principal)) + "|" + role + "|" +
                              std::to_string(scope) + (apart_ ? "|" + std::to_string(i) : "");
      const std::size_t box = add_named(kAssignments, key, role, orphaned ? "identity not found" : "role",
                                        orphaned ? "orphan" : "assignment", a, "");
      if (!orphaned) link(kIdentities, principal, kAssignments, box);
      link(kAssignments, box, kScopes, scope, orphaned);
    }
    // Targets nobody is assigned at still show: something may call them.
    for (std::uint32_t i = 0; i < dir_.count(EntityKind::kResource); ++i) {
      const ResourceId r(i);
      if (dir_.alive(r) && dir_.type_of(r).target) scope_box(r);
    }
  }

  void fold_overflow() {
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      std::vector<Box>& boxes = columns_[c];
      if (boxes.size() <= kBoxesPerColumn) continue;
      Box more{"", "", "more", 0, "", ""};
      for (std::size_t b = kBoxesPerColumn - 1; b < boxes.size(); ++b) more.count += boxes[b].count;
      more.label = "\u2026 " + std::to_string(boxes.size() - kBoxesPerColumn + 1) + " more groups";
      more.kind = format_count(more.count) + " entities";
      boxes.resize(kBoxesPerColumn - 1);
      boxes.push_back(more);
      for (Link& l : links_) {
        if (l.from_column == c) l.from = std::min(l.from, kBoxesPerColumn - 1);
        if (l.to_column == c) l.to = std::min(l.to, kBoxesPerColumn - 1);
      }
    }
    std::sort(links_.begin(), links_.end(), [](const Link& a, const Link& b) {
      return std::tie(a.from_column, a.from, a.to_column, a.to) < std::tie(b.from_column, b.from, b.to_column, b.to);
    });
    links_.erase(std::unique(links_.begin(), links_.end(),
                             [](const Link& a, const Link& b) {
                               return a.from_column == b.from_column && a.from == b.from &&
                                      a.to_column == b.to_column && a.to == b.to;
                             }),
                 links_.end());
  }

  void draw(std::string& out) const {
    std::size_t rows = 1;
    for (const auto& c : columns_) rows = std::max(rows, c.size());
    const double width = static_cast<double>(kColumnCount) * (kColumnWidth + kColumnGap) - kColumnGap + 20;
    const double height = kTop + static_cast<double>(rows) * kRowPitch + 6;
    out += "<svg class=\"graph\" viewBox=\"0 0 " + px(width) + " " + px(height) +
           "\" role=\"img\" aria-label=\"identity graph\"><title>identity graph: resources, identities, role "
           "assignments, scopes</title>";
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      out += "<text x=\"" + px(column_x(c) + kColumnWidth / 2) + "\" y=\"16\" text-anchor=\"middle\" class=\"axis\">";
      out += kColumnTitles[c];
      out += "</text>";
    }
    for (const Link& l : links_) {
      const double x1 = column_x(l.from_column) + kColumnWidth, y1 = box_y(l.from) + kBoxHeight / 2;
      const double x2 = column_x(l.to_column), y2 = box_y(l.to) + kBoxHeight / 2;
      const double mid = (x1 + x2) / 2;
      out += "<path class=\"edge" + std::string(l.orphaned ? " orphan-edge" : "") + "\" d=\"M" + px(x1) + " " + px(y1) +
             "C" + px(mid) + " " + px(y1) + " " + px(mid) + " " + px(y2) + " " + px(x2) + " " + px(y2) + "\"/>";
    }
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      for (std::size_t b = 0; b < columns_[c].size(); ++b) draw_box(out, columns_[c][b], column_x(c), box_y(b));
    }
    out += "</svg>\n";
  }

 private:
  static double column_x(std::size_t c) { return 10 + static_cast<double>(c) * (kColumnWidth + kColumnGap); }
  static double box_y(std::size_t b) { return kTop + static_cast<double>(b) * kRowPitch; }

  static void draw_box(std::string& out, const Box& box, double x, double y) {
    const bool template_group = box.count > 1 && !box.first.empty() && box.first != box.last;
    std::string label = template_group ? box.label + "-*" : box.label;
    if (label.size() > kLabelChars) label = label.substr(0, kLabelChars - 1) + "\u2026";
    std::string kind = box.kind;
    if (box.count > 1 && box.style != "more") kind += " \u00d7" + format_count(box.count);
    std::string tip = box.label + " (" + box.kind + ")";
    if (template_group) {
      tip = format_count(box.count) + " " + box.kind + ": " + box.first + " \u2026 " + box.last;
    }
    out += "<g class=\"node " + box.style + "\"><rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" +
           px(kColumnWidth) + "\" height=\"" + px(kBoxHeight) + "\" rx=\"" +
           (box.style == "system" || box.style == "user" || box.style == "principal" ? "14" : "4") + "\"/><text x=\"" +
           px(x + 10) + "\" y=\"" + px(y + 14) + "\" class=\"label\">" + escape(label) + "</text><text x=\"" +
           px(x + 10) + "\" y=\"" + px(y + 28) + "\" class=\"kind\">" + escape(kind) + "</text><title>" + escape(tip) +
           "</title></g>";
  }

  std::string resource_key(ResourceId r) const {
    const std::string name(dir_.name(r));
    return apart_ ? name : stem(name) + "|" + dir_.type_of(r).name;
  }

  std::size_t identity_box(IdentityId id, const std::string& holder_key) {
    const Identity& identity = dir_.identity(id);
    const std::string name(dir_.name(id));
    switch (identity.kind) {
      case IdentityKind::kSystemAssigned: {
        // Grouped with the resources that hold them; apart, named after its resource.
        const std::string holder = holder_key.empty() ? resource_key(identity.resource) : holder_key;
        const std::string label = std::string(dir_.name(identity.resource)) + " (system)";
        return add_named(kIdentities, "system|" + holder, apart_ ? label : stem(dir_.name(identity.resource)),
                         "system-assigned", "system", id, label);
      }
      case IdentityKind::kUserAssigned:
        return add_named(kIdentities, "user|" + name, name, "user-assigned", "user", id, "");
      case IdentityKind::kServicePrincipal:
        return add_named(kIdentities, "principal|" + name, name, "service principal", "principal", id, "");
    }
    return 0;
  }

  std::size_t scope_box(EntityRef scope) {
    const std::string name(dir_.name(scope));
    if (scope.kind == EntityKind::kResource) {
      const auto r = scope.as<ResourceId>();
      return add_named(kScopes, "resource|" + resource_key(r), apart_ ? name : stem(name), dir_.type_of(r).name,
                       "scope", scope, name);
    }
    return add_named(kScopes, std::string(to_string(scope.kind)) + "|" + name, name, std::string(to_string(scope.kind)),
                     "scope", scope, "");
  }

  /// The box of `key` in column `c`, created on first use, with `member` counted once however often
  /// it is reached (a user-assigned identity from each of its holders). A member's `instance` name
  /// (empty: none) feeds the hover text of a template's group, "web-0 ... web-9999".
  std::size_t add_named(Column c, const std::string& key, const std::string& label, const std::string& kind,
                        const char* style, EntityRef member, const std::string& instance) {
    auto [it, inserted] = index_[c].try_emplace(key, columns_[c].size());
    if (inserted) columns_[c].push_back(Box{label, kind, style, 0, instance, instance});
    Box& box = columns_[c][it->second];
    std::vector<bool>& counted = counted_[c][static_cast<std::size_t>(member.kind)];
    if (counted.size() <= member.index) counted.resize(member.index + 1, false);
    if (counted[member.index]) return it->second;
    counted[member.index] = true;
    if (box.count > 0) box.last = instance;
    ++box.count;
    return it->second;
  }

  void link(std::size_t from_column, std::size_t from, std::size_t to_column, std::size_t to, bool orphaned = false) {
    links_.push_back({from_column, from, to_column, to, orphaned});
  }

  const Directory& dir_;
  bool apart_;
  std::array<std::vector<Box>, kColumnCount> columns_;
  std::array<std::map<std::string, std::size_t>, kColumnCount> index_;
  // Members already counted, by column, entity kind and index: a bit per entity, not a set.
  std::array<std::array<std::vector<bool>, kEntityKindCount>, kColumnCount> counted_;
  std::vector<Link> links_;
};

void render_type_counts(std::string& out, const ReportCollector& collector) {
  if (collector.entity_types().empty()) {
    out += "<p class=\"empty\">No estate was given to the report.</p>\n";
    return;
  }
  out += "<table class=\"facts\"><tr><th>kind</th><th>type</th><th>entities announced</th></tr>";
  for (const auto& [key, count] : collector.entity_types()) {
    out += "<tr><td>" + escape(to_string(key.first)) + "</td><td>" + escape(key.second) + "</td><td class=\"num\">" +
           format_count(count) + "</td></tr>";
  }
  out += "</table>\n";
}

}  // namespace

void render_identity_graph(std::string& out, const Directory* directory, const ReportCollector& collector) {
  out += "<section id=\"graph\"><h2>Identity graph</h2>\n";
  if (directory == nullptr) {
    render_type_counts(out, collector);
    out += "</section>\n";
    return;
  }
  const Directory& dir = *directory;
  const std::size_t resources = dir.live_count(EntityKind::kResource);
  const std::size_t identities = dir.live_count(EntityKind::kIdentity);
  const std::size_t assignments = dir.live_count(EntityKind::kRoleAssignment);
  if (resources + identities + assignments == 0) {
    out +=
        "<p class=\"empty\">The directory holds no resources, identities or role assignments at the end of the "
        "run.</p>\n</section>\n";
    return;
  }
  const bool apart = resources + identities + assignments <= kEntitiesApart;
  std::size_t orphaned = 0;
  for (std::uint32_t i = 0; i < dir.count(EntityKind::kRoleAssignment); ++i) {
    if (dir.alive(RoleAssignmentId(i)) && dir.is_orphaned(RoleAssignmentId(i))) ++orphaned;
  }
  out += "<p class=\"what\">The estate at the end of the run: " + format_count(resources) + " resources, " +
         format_count(identities) + " identities, " + format_count(assignments) + " role assignments" +
         (orphaned > 0 ? " (" + format_count(orphaned) + " orphaned: their identity was deleted, drawn red)" : "") +
         ". A resource holds the identities it links to; an identity is granted a role at a scope. " +
         (apart ? "Every entity has a box."
                : "Entities are grouped: instances of one template (web-0 \u2026 web-9999 as web-*), with a count.") +
         " Deleted entities are gone from the graph; the access timeline shows what their deletion did.</p>\n";
  GraphBuilder graph(dir, apart);
  graph.build();
  graph.fold_overflow();
  out += "<div class=\"chart-block\">";
  graph.draw(out);
  draw_legend(out, {{"#dbeaf7", "resource"},
                    {"#d4ecf9", "system-assigned identity"},
                    {"#fbe3b8", "user-assigned identity"},
                    {"#fff6c8", "role assignment"},
                    {"#fbd3c1", "orphaned role assignment"},
                    {"#cdeee2", "scope (target, group, subscription)"}});
  out += "</div>\n</section>\n";
}

}  // namespace misim::report
