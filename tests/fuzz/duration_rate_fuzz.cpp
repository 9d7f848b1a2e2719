// Fuzz target: the duration, rate and memory-size parsers on arbitrary text. Each accepts or
// refuses with a message; what parse_duration accepts, format_duration writes back to the same
// value, and what parse_rate accepts is a finite positive rate that format_rate writes back.
#include <cmath>
#include <string_view>

#include "fuzz_target.hpp"
#include "misim/scenario.hpp"
#include "misim/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const misim::Result<misim::SimTime> duration = misim::parse_duration(text);
  if (duration) {
    MISIM_FUZZ_CHECK(*duration >= 0);
    const misim::Result<misim::SimTime> again = misim::parse_duration(misim::format_duration(*duration));
    MISIM_FUZZ_CHECK(again && *again == *duration);
    (void)misim::format_clock(*duration);
  } else {
    MISIM_FUZZ_CHECK(!duration.error().message.empty());
  }

  const misim::Result<misim::Rate> rate = misim::parse_rate(text);
  if (rate) {
    MISIM_FUZZ_CHECK(std::isfinite(rate->per_second) && rate->per_second >= 0.0);
    const misim::Result<misim::Rate> again = misim::parse_rate(misim::format_rate(*rate));
    MISIM_FUZZ_CHECK(again.ok());
  } else {
    MISIM_FUZZ_CHECK(!rate.error().message.empty());
  }

  const misim::Result<std::uint64_t> memory = misim::parse_memory_size(text);
  if (memory) (void)misim::format_memory_size(*memory);
  return 0;
}
