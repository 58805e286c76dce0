// Headless Chromium driven through the Chrome DevTools Protocol, for web tests that click: the
// browser is started with its own profile and `--remote-debugging-port=0`, writes the port it
// chose to DevToolsActivePort in that profile, and is then spoken to over a WebSocket
// (Boost.Beast). One page is opened; JavaScript is evaluated in it as a person's clicks would be.
#pragma once

#include <fmt/format.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/chromium.h"

namespace termijn::testing {

class Browser {
 public:
  // Starts `chromium` (a path) with a fresh profile under `profile` and opens `url` in one page,
  // as a browser that prefers `languages` (Accept-Language, navigator.languages).
  Browser(const std::string& chromium, const std::string& profile, const std::string& url,
          const std::string& languages = "nl-NL,nl")
      : profile_(profile) {
    remove_profile(profile_);
    std::filesystem::create_directories(profile_);
    std::vector<std::string> args = {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                     "--remote-debugging-port=0", "--user-data-dir=" + profile_,
                                     "--accept-lang=" + languages, "about:blank"};
    pid_ = fork();
    if (pid_ == 0) {
      // A group of its own, so that the destructor ends Chromium's helper processes too: left
      // running, they go on writing into the profile while it is being removed.
      setpgid(0, 0);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      // The test's own sockets (the server's connections among them) must not live on in the
      // browser: a connection the server closes would otherwise stay open, and its client hang.
      close_range(3, ~0U, 0);
      execv(argv[0], argv.data());
      _exit(127);
    }
    if (pid_ < 0) throw std::runtime_error("cannot start chromium");
    connect();
    std::string target = call("Target.createTarget", {{"url", url}})["targetId"];
    session_ = call("Target.attachToTarget", {{"targetId", target}, {"flatten", true}})["sessionId"];
  }
  ~Browser() {
    boost::beast::error_code ignored;
    ws_.close(boost::beast::websocket::close_code::normal, ignored);
    kill(-pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    kill(-pid_, SIGKILL);
    remove_profile(profile_);
  }
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  // The value of a JavaScript expression in the page (promises awaited); throws on an exception.
  nlohmann::json evaluate(const std::string& expression) {
    nlohmann::json r = call("Runtime.evaluate",
                            {{"expression", expression}, {"awaitPromise", true}, {"returnByValue", true}}, session_);
    if (r.contains("exceptionDetails")) throw std::runtime_error("in the page: " + r["exceptionDetails"].dump());
    return r["result"].value("value", nlohmann::json());
  }

  // Waits until `condition` (a JavaScript expression) is true in the page; false after `limit`.
  bool wait_for(const std::string& condition, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (evaluate(fmt::format("Boolean({})", condition)) == true) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  void connect() {
    // Chromium writes "<port>\n<browser path>" once it listens.
    std::string port, path;
    for (int i = 0; i < 300 && path.empty(); ++i) {
      std::ifstream in(profile_ + "/DevToolsActivePort");
      std::getline(in, port);
      std::getline(in, path);
      if (path.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (path.empty()) throw std::runtime_error("chromium did not open its DevTools port");
    boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                            static_cast<unsigned short>(std::stoi(port)));
    boost::beast::get_lowest_layer(ws_).connect(endpoint);
    ws_.handshake("127.0.0.1:" + port, path);
  }

  // Sends one command and reads until its answer, passing over the events in between.
  nlohmann::json call(const std::string& method, const nlohmann::json& params, const std::string& session = "") {
    nlohmann::json message{{"id", ++id_}, {"method", method}, {"params", params}};
    if (!session.empty()) message["sessionId"] = session;
    ws_.write(boost::asio::buffer(message.dump()));
    for (;;) {
      boost::beast::flat_buffer buffer;
      ws_.read(buffer);
      nlohmann::json answer = nlohmann::json::parse(boost::beast::buffers_to_string(buffer.data()));
      if (answer.value("id", 0) != id_) continue;
      if (answer.contains("error")) throw std::runtime_error(method + ": " + answer["error"].dump());
      return answer["result"];
    }
  }

  std::string profile_;
  pid_t pid_ = -1;
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_{io_};
  std::string session_;
  int id_ = 0;
};

}  // namespace termijn::testing
