#include "atomic_output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace misim {

namespace {
std::string io_message(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}
}  // namespace

std::string partial_path_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "." + path + ".partial";
  return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".partial";
}

Status publish(const std::string& partial, const std::string& path) {
  const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{io_message("cannot open", partial), {}};
  // Data on disk before the rename makes it visible: a crash leaves the old file or the new one.
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Error{io_message("cannot flush", partial), {}};
  if (std::rename(partial.c_str(), path.c_str()) != 0) return Error{io_message("cannot rename into place", path), {}};
  return {};
}

Result<AtomicOutputFile> AtomicOutputFile::create(const std::string& path) {
  std::string partial = partial_path_of(path);
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{io_message("cannot create", partial), {}};
  return AtomicOutputFile(path, std::move(partial), fd);
}

AtomicOutputFile::AtomicOutputFile(std::string path, std::string partial, int fd)
    : path_(std::move(path)), partial_(std::move(partial)), fd_(fd) {
  buffer_.reserve(kFlushBytes + kFlushBytes / 4);
}

AtomicOutputFile::AtomicOutputFile(AtomicOutputFile&& other) noexcept
    : path_(std::move(other.path_)),
      partial_(std::move(other.partial_)),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      error_(std::move(other.error_)),
      committed_(std::exchange(other.committed_, true)) {}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) std::remove(partial_.c_str());
}

void AtomicOutputFile::flush() {
  std::size_t done = 0;
  while (error_.empty() && done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = io_message("cannot write", partial_);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

Status AtomicOutputFile::commit() {
  flush();
  if (!error_.empty()) return Error{error_, {}};
  const int fd = std::exchange(fd_, -1);
  const bool synced = ::fsync(fd) == 0;
  if (::close(fd) != 0 || !synced) return Error{io_message("cannot flush", partial_), {}};
  if (std::rename(partial_.c_str(), path_.c_str()) != 0) {
    return Error{io_message("cannot rename into place", path_), {}};
  }
  committed_ = true;
  return {};
}

}  // namespace misim
