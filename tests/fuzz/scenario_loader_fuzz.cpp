// Fuzz target: the scenario loader on arbitrary text. Any input must load or be refused with an
// error that has a message and a place in the file; never a crash, a hang or unbounded memory.
#include <string>

#include "fuzz_target.hpp"
#include "misim/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  misim::ScenarioOverrides overrides;
  // The resource guard is what bounds a scenario's work before anything is built; a low limit
  // keeps each input's estate small enough for many executions a second (the guard's own limits
  // and calibration are tested in tests/scenario/resource_guard_test.cpp).
  overrides.max_memory = std::uint64_t{512} << 20;
  const misim::Result<misim::Scenario> scenario = misim::load_scenario_text(text, "fuzz.yaml", overrides);
  if (!scenario) {
    MISIM_FUZZ_CHECK(!scenario.error().message.empty());
    MISIM_FUZZ_CHECK(!scenario.error().to_string().empty());
  }
  return 0;
}
