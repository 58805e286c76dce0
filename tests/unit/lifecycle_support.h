// Files for the data-lifecycle tests: a temporary database path, a key file with a given mode,
// and a file's raw bytes.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace termijn::testing {

// A fresh path under the temp folder, with no database or companion files left from a run before.
inline std::string temp_path(const std::string& name) {
  std::string path = (std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name)).string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
  return path;
}

inline std::string write_key_file(const std::string& name, const std::string& secret, mode_t mode = 0600) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << secret;
  ::chmod(path.c_str(), mode);
  return path;
}

// The bytes of a file as they are on disk; empty when there is no such file.
inline std::string raw_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace termijn::testing
