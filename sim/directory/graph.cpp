// Batch removal of vertices from the directory graph. See graph.hpp for why.
#include "graph.hpp"

#include <algorithm>

namespace misim::directory_detail {

namespace {

constexpr std::uint8_t kDoomed = 1;
constexpr std::uint8_t kQueued = 2;  // a surviving neighbour already queued for the one-pass cleanup

std::size_t degree(const Graph& g, Vertex v) { return boost::out_degree(v, g) + boost::in_degree(v, g); }

}  // namespace

void remove_vertices(Graph& g, std::vector<Vertex>& doomed) {
  for (const Vertex v : doomed) g[v].mark = kDoomed;

  // Surviving neighbours, each once, in the order met (deterministic).
  std::vector<Vertex> survivors;
  for (const Vertex v : doomed) {
    auto queue = [&](Vertex n) {
      if (g[n].mark == 0) {
        g[n].mark = kQueued;
        survivors.push_back(n);
      }
    };
    for (const auto& e : boost::make_iterator_range(boost::out_edges(v, g))) queue(boost::target(e, g));
    for (const auto& e : boost::make_iterator_range(boost::in_edges(v, g))) queue(boost::source(e, g));
  }
  auto is_doomed = [&g](Vertex v) { return g[v].mark == kDoomed; };
  for (const Vertex s : survivors) {
    boost::remove_in_edge_if(
        s, [&](const auto& e) { return is_doomed(boost::source(e, g)); }, g);
    boost::remove_out_edge_if(
        s, [&](const auto& e) { return is_doomed(boost::target(e, g)); }, g);
    g[s].mark = 0;
  }

  // Highest degree first; ties in the given order, so the result does not depend on sort details.
  std::stable_sort(doomed.begin(), doomed.end(), [&g](Vertex a, Vertex b) { return degree(g, a) > degree(g, b); });
  for (const Vertex v : doomed) {
    boost::clear_vertex(v, g);
    boost::remove_vertex(v, g);
  }
}

}  // namespace misim::directory_detail
