// Runs a shell command and returns what it printed (trailing newlines dropped): for tests that
// drive the termijn binary or a browser as a user would.
#pragma once

#include <array>
#include <cstdio>
#include <string>

namespace termijn::testing {

inline std::string run_command(const std::string& command) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 8192> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  ::pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace termijn::testing
