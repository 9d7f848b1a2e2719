// The directory's graph on Boost.Graph (private to sim/directory: Boost stays out of include/).
//
// adjacency_list<vecS, listS, bidirectionalS, ..., listS>, chosen for stable handles under
// deletion (https://www.boost.org/libs/graph/doc/adjacency_list.html, "Iterator and Descriptor
// Stability/Invalidation"):
//   - VertexList = listS: a vertex descriptor is a pointer to a list node, so remove_vertex leaves
//     every other descriptor valid, and the descriptors the dense records keep stay correct. With
//     vecS, remove_vertex renumbers every later vertex (invalidating all stored descriptors) and
//     costs O(V + E).
//   - OutEdgeList = vecS: the compact choice (16 bytes an edge end) with fast iteration; removing
//     an edge invalidates only iterators into that one vertex's edge vector, never a vertex
//     descriptor, and edge descriptors stay valid because the bundled properties live in the
//     global edge list. setS/listS would cost a tree or list node per edge end.
//   - bidirectionalS: in-edges are needed to walk back (who holds this identity, which
//     assignments are made at this scope, orphaned assignments of a deleted principal).
//   - EdgeList = listS: required for bidirectional removal of edges.
// Memory and speed of this choice at a million resources: docs/model.md.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <vector>

#include "misim/directory_ids.hpp"

namespace misim::directory_detail {

/// What an edge means. Directions: parent -> child; resource -> identity it holds; principal ->
/// its role assignment; role assignment -> its scope.
enum class EdgeKind : std::uint8_t {
  kContains,  // tenant -> subscription -> group -> resource / user-assigned identity; scale set -> instance
  kHolds,     // resource -> system-assigned or attached user-assigned identity
  kGrants,    // principal -> role assignment
  kScopedAt,  // role assignment -> scope
};

struct VertexBundle {
  EntityKind kind = EntityKind::kTenant;
  std::uint8_t mark = 0;  // scratch bits for batch deletion (graph.cpp); 0 between operations
  std::uint32_t index = 0;
  [[nodiscard]] EntityRef ref() const noexcept { return {kind, index}; }
};

struct EdgeBundle {
  EdgeKind kind = EdgeKind::kContains;
};

using Graph = boost::adjacency_list<boost::vecS, boost::listS, boost::bidirectionalS, VertexBundle, EdgeBundle,
                                    boost::no_property, boost::listS>;
using Vertex = Graph::vertex_descriptor;

[[nodiscard]] inline Vertex null_vertex() noexcept { return boost::graph_traits<Graph>::null_vertex(); }

/// Calls f(neighbour vertex) for every out-edge of `v` of kind `kind`, in insertion order.
template <class F>
void for_each_out(const Graph& g, Vertex v, EdgeKind kind, F&& f) {
  for (const auto& e : boost::make_iterator_range(boost::out_edges(v, g))) {
    if (g[e].kind == kind) f(boost::target(e, g));
  }
}

/// Calls f(neighbour vertex) for every in-edge of `v` of kind `kind`, in insertion order.
template <class F>
void for_each_in(const Graph& g, Vertex v, EdgeKind kind, F&& f) {
  for (const auto& e : boost::make_iterator_range(boost::in_edges(v, g))) {
    if (g[e].kind == kind) f(boost::source(e, g));
  }
}

/// Removes a set of vertices and all their edges in time linear in the edges touched.
///
/// Removing vertices one by one is quadratic when many of them share a neighbour of high degree
/// (100,000 resources of a deleted group attached to one user-assigned identity elsewhere): each
/// removal scans that neighbour's whole edge vector. Instead, surviving neighbours drop all their
/// edges to the doomed set in one pass each, and the doomed vertices are cleared highest degree
/// first, so an edge between two doomed vertices is erased from the smaller edge vector.
void remove_vertices(Graph& g, std::vector<Vertex>& doomed);

}  // namespace misim::directory_detail
