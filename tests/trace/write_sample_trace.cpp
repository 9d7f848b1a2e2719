// misim_trace_sample PATH [EVENTS]: writes the tests' synthetic trace (trace_sample.hpp) with EVENTS
// events (default 1000), for the Python reader's test and for trying the readers by hand.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "trace_sample.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: misim_trace_sample PATH [EVENTS]\n");
    return 2;
  }
  const std::uint64_t events = argc == 3 ? std::strtoull(argv[2], nullptr, 10) : 1000;
  if (misim::Status s = misim::trace_sample::write(argv[1], events); !s) {
    std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
    return 1;
  }
  return 0;
}
