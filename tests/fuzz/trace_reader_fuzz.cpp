// Fuzz target: the trace reader on arbitrary bytes, given to it as a file (an in-memory one, by
// memfd). Any input must read to its footer or end in an error with a message; never a crash, a
// hang or memory out of proportion to the input.
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "fuzz_target.hpp"
#include "misim/trace_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = ::memfd_create("misim-fuzz-trace", MFD_CLOEXEC);
  MISIM_FUZZ_CHECK(fd >= 0);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    MISIM_FUZZ_CHECK(n > 0);
    done += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  misim::Result<misim::TraceReader> reader = misim::TraceReader::open(path);
  if (!reader) {
    MISIM_FUZZ_CHECK(!reader.error().message.empty());
  } else {
    std::uint64_t items = 0;
    for (;;) {
      const misim::Result<misim::TraceItem> item = reader->next();
      if (!item) {
        MISIM_FUZZ_CHECK(!item.error().message.empty());
        break;
      }
      if (*item == misim::TraceItem::kEnd) {
        MISIM_FUZZ_CHECK(reader->footer().events <= items);
        break;
      }
      ++items;
      MISIM_FUZZ_CHECK(items <= size);  // every record takes at least a byte
    }
  }
  ::close(fd);
  return 0;
}
