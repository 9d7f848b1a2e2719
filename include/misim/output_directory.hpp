// OutputDirectory: writes a run's files so that none is ever seen half-written.
//
// Each file is written beside its final name as `.NAME.partial`, flushed to disk, and renamed
// into place only by commit(), after every file was written. If the run fails, is interrupted or
// crashes before commit(), the final names are untouched (an older complete result stays) and
// the destructor removes the partial files.
//
//   OutputDirectory out("out/run1");
//   if (Status s = out.write("summary.json", text); !s) return fail(s);
//   if (Status s = out.commit(); !s) return fail(s);
//
// A file too large to hold in memory (trace.pb) is streamed to the path reserve() returns by its
// own writer, which must have flushed and closed it (with fsync) before commit():
//
//   Result<std::string> partial = out.reserve("trace.pb");
//   auto writer = TraceWriter::create(*partial, header);  ...  (*writer)->close();
//   out.commit();                                          // trace.pb appears with the others
#pragma once

#include <string>
#include <vector>

#include "misim/result.hpp"

namespace misim {

class OutputDirectory {
 public:
  explicit OutputDirectory(std::string directory);
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  /// Writes `content` to the partial file for `name`, creating the directory if needed.
  Status write(const std::string& name, const std::string& content);
  /// The partial file's path for `name`, for a caller that writes the file itself; creates the
  /// directory if needed. commit() renames it into place with the others (failing if it was never
  /// created) and the destructor removes it if not committed.
  Result<std::string> reserve(const std::string& name);
  /// Renames every written file into place.
  Status commit();
  [[nodiscard]] const std::string& directory() const noexcept { return directory_; }

 private:
  std::string directory_;
  std::vector<std::string> pending_;  // names written but not yet committed
};

}  // namespace misim
