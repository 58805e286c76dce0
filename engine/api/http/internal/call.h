// A request as a handler of HttpApi sees it: who calls, the path's parameters, the checked body.
// Shared by the handlers' files (api.cc, web_assets.cc); not part of the installed API.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/api/http/api.h"

namespace termijn::http {

struct HttpApi::Caller {
  std::string name;
  std::string organisation;
  std::string role;
  bool admin() const { return role == kAdminRole; }
  Actor actor() const { return Actor(role, name, organisation); }
};

struct HttpApi::Call {
  const HttpRequest& request;
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;
  Caller caller;
  Json body;              // parsed for POST
  std::int64_t path_id = 0;  // {id} in the path, checked
  std::int64_t id() const { return path_id; }
  std::string header(const std::string& name) const {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? "" : it->second;
  }
};

}  // namespace termijn::http
