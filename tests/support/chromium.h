// Finding Debian's Chromium for browser tests, and removing the profile folder it leaves.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>

namespace termijn::testing {

// The Chromium binary, or "" when none is installed (the browser tests then skip).
inline std::string chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

// Removes a profile folder that a Chromium which is just ending may still be writing into (its
// helper processes outlive the browser by a moment): a file that vanishes under remove_all is
// retried, never thrown out of a destructor or a TearDown.
inline void remove_profile(const std::string& profile) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    std::error_code error;
    std::filesystem::remove_all(profile, error);
    if (!error) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace termijn::testing
