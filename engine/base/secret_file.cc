#include "engine/base/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace termijn {

Result<std::string> read_secret_file(const std::string& path, const char* what, std::size_t min_bytes,
                                     std::size_t max_bytes) {
  auto refuse = [](std::string message) { return Status(StatusCode::kInvalidArgument, std::move(message)); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return refuse(fmt::format("cannot read the {} file '{}': {}", what, path, std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return refuse(fmt::format("the {} file '{}' is not a regular file", what, path));
  }
  if ((st.st_mode & 077) != 0) {
    return refuse(fmt::format("the {} file '{}' can be read or written by others (mode {:04o}); make it the owner's "
                              "only: chmod 600 '{}'",
                              what, path, st.st_mode & 07777, path));
  }
  std::string secret;
  char buffer[1024];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return refuse(fmt::format("cannot read the {} file '{}': {}", what, path, std::strerror(errno)));
    if (n == 0) break;
    secret.append(buffer, static_cast<std::size_t>(n));
    if (secret.size() > max_bytes) {
      return refuse(fmt::format("the {} file '{}' holds more than {} bytes: is it the right file?", what, path,
                                max_bytes));
    }
  }
  if (secret.size() < min_bytes) {
    return refuse(fmt::format("the {} file '{}' holds {} bytes; it needs at least {}", what, path, secret.size(),
                              min_bytes));
  }
  return secret;
}

}  // namespace termijn
