// Graphviz DOT of the live directory (include/misim/directory_export.hpp).
//
// Written by hand rather than with boost::write_graphviz: the containment hierarchy is drawn as
// nested clusters (tenant > subscription > resource group), which write_graphviz cannot emit for an
// adjacency_list; write_graphviz also needs a vertex_index map, which a listS graph lacks, and names
// nodes by that index, which shifts when entities are deleted. Walking the records in id order
// gives stable node ids ("r12") and byte-identical output for the same directory.
#include <string>

#include "misim/directory.hpp"
#include "misim/directory_export.hpp"

namespace misim {

namespace {

// Colours that say what an identity is (and that a broken assignment is broken).
constexpr const char* kSystemAssignedFill = "#cfe8ff";
constexpr const char* kUserAssignedFill = "#ffd59a";
constexpr const char* kServicePrincipalFill = "#e0e0e0";
constexpr const char* kOrphanedColor = "#d0021b";

std::string escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string node_id(EntityRef e) {
  static constexpr const char* kPrefix[] = {"t", "s", "g", "r", "i", "ra"};
  return std::string(kPrefix[static_cast<int>(e.kind)]) + std::to_string(e.index);
}

class DotWriter {
 public:
  explicit DotWriter(const Directory& d) : d_(d) {}

  std::string write() {
    out_ += "digraph directory {\n";
    out_ += "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11];\n";
    out_ += "  node [fontname=\"Helvetica\", fontsize=10];\n";
    out_ += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (std::uint32_t t = 0; t < d_.count(EntityKind::kTenant); ++t) {
      if (d_.alive(TenantId(t))) tenant(TenantId(t));
    }
    edges();
    assignments();
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  void line(int depth, const std::string& text) {
    out_.append(static_cast<std::size_t>(depth) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }

  void node(int depth, EntityRef e, const std::string& label, const std::string& attributes) {
    line(depth, "\"" + node_id(e) + "\" [label=\"" + escaped(label) + "\", " + attributes + "];");
  }

  void open_cluster(int depth, EntityRef e, const std::string& label) {
    line(depth, "subgraph cluster_" + node_id(e) + " {");
    line(depth + 1, "label=\"" + escaped(label) + "\"; style=rounded; color=\"#888888\";");
    // A node for the scope itself, so role assignments made at it have something to point at.
    node(depth + 1, e, std::string(d_.name(e)), "shape=folder, fontsize=9");
  }

  void tenant(TenantId t) {
    open_cluster(1, t, "tenant " + std::string(d_.name(t)));
    for (const EntityRef child : d_.children(t)) {
      if (child.kind == EntityKind::kSubscription) subscription(child.as<SubscriptionId>());
      if (child.kind == EntityKind::kIdentity) identity(2, child.as<IdentityId>());
    }
    line(1, "}");
  }

  void subscription(SubscriptionId s) {
    open_cluster(2, s, "subscription " + std::string(d_.name(s)));
    for (const EntityRef child : d_.children(s)) group(child.as<ResourceGroupId>());
    line(2, "}");
  }

  void group(ResourceGroupId g) {
    open_cluster(3, g, "resource group " + std::string(d_.name(g)));
    for (const EntityRef child : d_.children(g)) {
      if (child.kind == EntityKind::kResource) resource(child.as<ResourceId>());
      if (child.kind == EntityKind::kIdentity) identity(4, child.as<IdentityId>());
    }
    line(3, "}");
  }

  void resource(ResourceId r) {
    const ResourceTypeInfo& type = d_.type_of(r);
    node(4, r, std::string(d_.name(r)) + "\n" + type.name, type.target ? "shape=cylinder" : "shape=box");
    const IdentityId sa = d_.resource(r).system_identity;
    if (sa.valid()) identity(4, sa);
    for (const EntityRef child : d_.children(r)) resource(child.as<ResourceId>());
  }

  void identity(int depth, IdentityId i) {
    const Identity& rec = d_.identity(i);
    const std::string name(d_.name(i));
    switch (rec.kind) {
      case IdentityKind::kSystemAssigned:
        node(depth, i, name + "\nsystem-assigned",
             std::string("shape=ellipse, style=filled, fillcolor=\"") + kSystemAssignedFill + "\"");
        return;
      case IdentityKind::kUserAssigned:
        node(depth, i, name + "\nuser-assigned",
             std::string("shape=hexagon, style=filled, fillcolor=\"") + kUserAssignedFill + "\"");
        return;
      case IdentityKind::kServicePrincipal:
        node(depth, i, name + "\nservice principal",
             std::string("shape=component, style=filled, fillcolor=\"") + kServicePrincipalFill + "\"");
        return;
    }
  }

  void edges() {
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kResource); ++i) {
      const ResourceId r(i);
      if (!d_.alive(r)) continue;
      const IdentityId sa = d_.resource(r).system_identity;
      if (sa.valid())
        line(1, "\"" + node_id(r) + "\" -> \"" + node_id(sa) + "\" [label=\"system\", color=\"#4a90d9\"];");
      for (const IdentityId u : d_.user_assigned_of(r)) {
        line(1, "\"" + node_id(r) + "\" -> \"" + node_id(u) + "\" [label=\"uses\", color=\"#e08a00\"];");
      }
      if (d_.resource(r).parent.valid()) {
        line(1, "\"" + node_id(d_.resource(r).parent) + "\" -> \"" + node_id(r) + "\" [style=dotted, arrowhead=none];");
      }
    }
  }

  void assignments() {
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kRoleAssignment); ++i) {
      const RoleAssignmentId a(i);
      if (!d_.alive(a)) continue;
      const RoleAssignment& rec = d_.role_assignment(a);
      const std::string& role = d_.roles().role(rec.role).name;
      if (d_.is_orphaned(a)) {
        // Azure lists it as "Identity not found", object type Unknown (azure-facts.md:48).
        const std::string red = std::string("color=\"") + kOrphanedColor + "\", fontcolor=\"" + kOrphanedColor + "\"";
        node(1, a, role + "\nIdentity not found\n" + d_.identity(rec.principal).object_id.to_string(),
             "shape=note, style=dashed, " + red);
        line(1, "\"" + node_id(a) + "\" -> \"" + node_id(rec.scope) + "\" [label=\"at\", style=dashed, " + red + "];");
        continue;
      }
      node(1, a, role, "shape=note");
      line(1, "\"" + node_id(rec.principal) + "\" -> \"" + node_id(a) + "\" [label=\"granted\"];");
      line(1, "\"" + node_id(a) + "\" -> \"" + node_id(rec.scope) + "\" [label=\"at\", style=dashed];");
    }
  }

  const Directory& d_;
  std::string out_;
};

}  // namespace

std::string export_dot(const Directory& directory) { return DotWriter(directory).write(); }

}  // namespace misim
