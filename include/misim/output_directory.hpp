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
  /// Renames every written file into place.
  Status commit();
  [[nodiscard]] const std::string& directory() const noexcept { return directory_; }

 private:
  std::string directory_;
  std::vector<std::string> pending_;  // names written but not yet committed
};

}  // namespace misim
