// Scenarios loaded for a test from YAML text or a file: an error fails the test (with the error's
// FILE:LINE:COL text) and gives an empty Scenario; and the error of a load that must fail.
// Header-only: a test using it links misim::misim.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "misim/scenario.hpp"

namespace misim::test_support {

/// A plain `if`, not `s.ok() ? std::move(s).value() : Scenario{}`: GCC 12 warns on that shape that
/// a member "may be used uninitialized" (an error with MISIM_WERROR).
inline Scenario value_or_failure(Result<Scenario> s) {
  if (!s.ok()) {
    ADD_FAILURE() << s.error().to_string();
    return Scenario{};
  }
  return std::move(s).value();
}

/// The scenario in `text`, as a file named `name`.
inline Scenario scenario_from_text(const std::string& text, const std::string& name = "test.yaml") {
  return value_or_failure(load_scenario_text(text, name));
}

/// The scenario in the file `path`, with `overrides` (params set, as --set does).
inline Scenario scenario_from_file(const std::string& path, const ScenarioOverrides& overrides = {}) {
  return value_or_failure(load_scenario_file(path, overrides));
}

/// The error of a load (of a scenario, a sweep file, ...) that must fail; a success fails the test
/// and gives an empty Error.
template <class T>
Error error_of(const Result<T>& r) {
  EXPECT_FALSE(r.ok()) << "expected an error";
  return r.ok() ? Error{} : r.error();
}

}  // namespace misim::test_support
