// Summary: the machine-readable result of a run (summary.json), and the verdict on the
// scenario's expectations. Field names are a contract users' scripts rely on (design.md,
// "Command line and outputs"; docs/scenarios.md lists them).
//
//   Summary summary(scenario, simulation, {.wall_seconds = 1.2});
//   write(summary.json_text());
//   return summary.expectations_met() ? 0 : 1;
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"

namespace misim {

/// How the run itself went (not what it simulated).
struct Execution {
  double wall_seconds = 0.0;
  bool interrupted = false;  // stopped by a signal before the end
  /// Wall seconds of the run's phases, in order (`misim run`: loading, building, simulating).
  std::vector<std::pair<std::string, double>> phases;
};

struct ExpectationResult {
  std::string text;  // the expectation as written
  SourcePlace place;
  std::optional<double> actual;  // absent when the metric does not exist
  bool met = false;
  std::string detail;  // why it failed
};

class Summary {
 public:
  Summary(const Scenario& scenario, const Simulation& simulation, const Execution& run);
  ~Summary();
  Summary(const Summary&) = delete;
  Summary& operator=(const Summary&) = delete;

  /// The summary as pretty-printed JSON with a trailing newline.
  [[nodiscard]] std::string json_text() const;
  /// A number in the summary by dotted path, e.g. `stages.aad.wait_ms.p99`.
  [[nodiscard]] std::optional<double> metric(std::string_view path) const;
  [[nodiscard]] const std::vector<ExpectationResult>& expectations() const noexcept { return expectations_; }
  [[nodiscard]] bool expectations_met() const noexcept;

 private:
  struct Document;
  std::unique_ptr<Document> doc_;
  std::vector<ExpectationResult> expectations_;
};

}  // namespace misim
