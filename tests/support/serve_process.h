// `termijn serve` as a separate process, as an operator starts it: on a free port, its stdout read
// until it says where it listens; stopped with SIGTERM as systemd would.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <regex>
#include <string>
#include <vector>

namespace termijn::testing {

class ServeProcess {
 public:
  // `args` follow "serve" (add "--listen 127.0.0.1:0"); port() is 0 when it did not come up.
  ServeProcess(const std::string& binary, const std::vector<std::string>& args) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      std::vector<char*> argv{const_cast<char*>(binary.c_str()), const_cast<char*>("serve")};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = out[0];
    std::regex listening(R"(on http://127\.0\.0\.1:([0-9]+)/)");
    std::array<char, 1024> buffer{};
    while (port_ == 0) {
      ssize_t n = ::read(stdout_, buffer.data(), buffer.size());
      if (n <= 0) break;
      output_.append(buffer.data(), static_cast<std::size_t>(n));
      std::smatch m;
      if (std::regex_search(output_, m, listening)) port_ = static_cast<unsigned short>(std::stoi(m[1]));
    }
  }
  ~ServeProcess() { stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  unsigned short port() const { return port_; }
  // What it printed up to the line that names its port.
  const std::string& output() const { return output_; }

  // SIGTERM, then waits; the wait status (-1 when it was stopped before or never started).
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(stdout_);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  unsigned short port_ = 0;
  std::string output_;
};

}  // namespace termijn::testing
