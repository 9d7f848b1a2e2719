#include "misim/output_directory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

namespace misim {

namespace {
std::string partial_name(const std::string& dir, const std::string& name) { return dir + "/." + name + ".partial"; }
Error io_error(const std::string& what, const std::string& path) {
  return Error{what + " '" + path + "': " + std::strerror(errno), {}};
}
}  // namespace

OutputDirectory::OutputDirectory(std::string directory) : directory_(std::move(directory)) {}

OutputDirectory::~OutputDirectory() {
  for (const std::string& name : pending_) std::remove(partial_name(directory_, name).c_str());
}

Status OutputDirectory::write(const std::string& name, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) return Error{"cannot create output directory '" + directory_ + "': " + ec.message(), {}};
  const std::string path = partial_name(directory_, name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", path);
  pending_.push_back(name);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return io_error("cannot write", path);
    }
    done += static_cast<std::size_t>(n);
  }
  // Data on disk before the rename makes it visible: a crash leaves the old file or the new one.
  const bool synced = ::fsync(fd) == 0;
  if (::close(fd) != 0 || !synced) return io_error("cannot flush", path);
  return {};
}

Result<std::string> OutputDirectory::reserve(const std::string& name) {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) return Error{"cannot create output directory '" + directory_ + "': " + ec.message(), {}};
  if (std::find(pending_.begin(), pending_.end(), name) == pending_.end()) pending_.push_back(name);
  return partial_name(directory_, name);
}

Status OutputDirectory::commit() {
  for (const std::string& name : pending_) {
    const std::string from = partial_name(directory_, name);
    const std::string to = directory_ + "/" + name;
    if (std::rename(from.c_str(), to.c_str()) != 0) return io_error("cannot rename into place", to);
  }
  pending_.clear();
  // The renames on disk too: after a power cut the directory names the new files or the old ones.
  const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return io_error("cannot open", directory_);
  const bool synced = ::fsync(dir) == 0;
  ::close(dir);
  if (!synced) return io_error("cannot flush", directory_);
  return {};
}

}  // namespace misim
