// AtomicOutputFile: a converter's output file, streamed through a buffer and never seen
// half-written.
//
// The bytes go to `.NAME.partial` beside the final name (the convention of OutputDirectory, which
// holds whole files in memory; a converted trace can be larger than memory, so this one streams).
// commit() flushes, syncs and renames it into place; destroying an uncommitted file removes the
// partial one, so a failed conversion leaves the final name as it was.
//
//   Result<AtomicOutputFile> f = AtomicOutputFile::create("t.json");
//   f->buffer() += "{...}";
//   f->flush_if_full();
//   if (Status s = f->commit(); !s) ...
#pragma once

#include <string>
#include <string_view>

#include "misim/result.hpp"

namespace misim {

/// `DIR/.NAME.partial` for `DIR/NAME`: where an output is written before its rename.
[[nodiscard]] std::string partial_path_of(const std::string& path);
/// Syncs the written file `partial` to disk and renames it to `path`.
Status publish(const std::string& partial, const std::string& path);

class AtomicOutputFile {
 public:
  /// Creates the partial file (truncating a stale one).
  static Result<AtomicOutputFile> create(const std::string& path);
  ~AtomicOutputFile();
  AtomicOutputFile(AtomicOutputFile&& other) noexcept;
  AtomicOutputFile& operator=(AtomicOutputFile&& other) = delete;
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  /// The pending bytes: append to it, then call flush_if_full().
  std::string& buffer() noexcept { return buffer_; }
  void write(std::string_view text) {
    buffer_.append(text);
    flush_if_full();
  }
  void flush_if_full() {
    if (buffer_.size() >= kFlushBytes) flush();
  }
  /// Writes the rest, syncs and renames into place. The first write error, if any, is returned.
  Status commit();
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  // Large enough that write(2) calls cost nothing next to formatting, small enough to stay in L2.
  static constexpr std::size_t kFlushBytes = 1 << 20;

  AtomicOutputFile(std::string path, std::string partial, int fd);
  void flush();

  std::string path_;
  std::string partial_;
  int fd_ = -1;
  std::string buffer_;
  std::string error_;  // the first I/O error, empty while all is well
  bool committed_ = false;
};

}  // namespace misim
