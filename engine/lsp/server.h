// `termijn lsp`: a Language Server Protocol server for the three files a coordinator edits
// (.wth processes, .scenario tests, .sim simulations), built on the same front end, checker,
// scenario reader and simulation reader as `termijn check`: diagnostics as the coordinator
// types (a did-you-mean is a quick fix), hover, go to definition across `extends` and imports,
// references, completion, document symbols, formatting (termijn fmt's layout), and rename across
// a variant chain and the scenarios that use a name. One thread; one message at a time.
#pragma once

#include <filesystem>
#include <istream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/lsp/json_rpc.h"

namespace termijn::lsp {

class Server {
 public:
  explicit Server(std::vector<std::filesystem::path> stdlib_dirs);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Handles one message; returns what to send back, in order (a response, notifications).
  std::vector<Json> handle(const Json& message);
  // The answer to a message that could not be read (`Incoming::kBadMessage`).
  static Json unreadable(const std::string& why);

  // After `exit`: the process should end with exit_code() (0 when `shutdown` came first).
  bool exited() const { return exited_; }
  int exit_code() const { return shut_down_ ? 0 : 1; }

 private:
  struct State;
  std::vector<Json> request(const std::string& method, const Json& params, const Json& id);
  std::vector<Json> notification(const std::string& method, const Json& params);

  std::unique_ptr<State> state_;
  bool initialized_ = false;
  bool shut_down_ = false;
  bool exited_ = false;
};

// Reads messages from `in` and answers on `out` until `exit` or the end of the stream. Returns
// the process's exit code: 0 after shutdown and exit, 1 otherwise (the protocol's rule).
int serve(std::istream& in, std::ostream& out, std::vector<std::filesystem::path> stdlib_dirs);

}  // namespace termijn::lsp
