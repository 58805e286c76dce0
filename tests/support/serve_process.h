// `termijn serve` as a separate process, as an operator starts it: on a free port, its log
// (stderr) read until it says where it listens and kept reading meanwhile, so a full pipe never
// blocks the server; stopped with SIGTERM as systemd would.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace termijn::testing {

class ServeProcess {
 public:
  // `args` follow "serve" (add "--listen 127.0.0.1:0"); port() is 0 when it did not come up.
  ServeProcess(const std::string& binary, const std::vector<std::string>& args) {
    int err[2];
    if (::pipe(err) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(err[1], STDERR_FILENO);
      ::close(err[0]);
      std::vector<char*> argv{const_cast<char*>(binary.c_str()), const_cast<char*>("serve")};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(err[1]);
    reader_ = std::thread([this, fd = err[0]] {
      std::array<char, 4096> buffer{};
      ssize_t n = 0;
      while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
        std::lock_guard<std::mutex> lock(mutex_);
        log_.append(buffer.data(), static_cast<std::size_t>(n));
        changed_.notify_all();
      }
      ::close(fd);
      std::lock_guard<std::mutex> lock(mutex_);
      ended_ = true;
      changed_.notify_all();
    });
    std::regex listening(R"(on http://127\.0\.0\.1:([0-9]+)/)");
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(60), [&] {
      std::smatch m;
      if (std::regex_search(log_, m, listening)) port_ = static_cast<unsigned short>(std::stoi(m[1]));
      return port_ != 0 || ended_;
    });
  }
  ~ServeProcess() { stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  unsigned short port() const { return port_; }
  // What it has logged so far.
  std::string output() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }

  // SIGTERM, then waits; the wait status (-1 when it was stopped before or never started).
  int stop() {
    int status = -1;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (reader_.joinable()) reader_.join();  // the pipe ends with the process
    return status;
  }

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  bool ended_ = false;
  std::thread reader_;
};

}  // namespace termijn::testing
