// The language features, each one request's answer, over the workspace's analyses.
#pragma once

#include <string>
#include <vector>

#include "engine/base/utf8.h"
#include "engine/lsp/internal/positions.h"
#include "engine/lsp/internal/workspace.h"

namespace termijn::lsp::internal {

class Features {
 public:
  Features(Workspace& workspace, ColumnUnit unit) : workspace_(workspace), unit_(unit) {}

  // textDocument/publishDiagnostics for `path`, and for the open documents that read it.
  std::vector<Json> publish_with_readers(const std::string& path, const std::vector<std::string>& readers);
  Json publish(const std::string& path);
  Json clear(const std::string& path);

  Json hover(const std::string& path, const Json& params);
  Json definition(const std::string& path, const Json& params);
  Json references(const std::string& path, const Json& params);
  Json completion(const std::string& path, const Json& params);
  Json symbols(const std::string& path);
  // The edits that give the document termijn fmt's layout (none when it has it); `refusal` says
  // why not when it does not parse.
  Json formatting(const std::string& path, std::string& refusal);
  Json code_actions(const std::string& path, const Json& params);
  Json prepare_rename(const std::string& path, const Json& params);
  // A WorkspaceEdit; `refusal` says why not when the rename cannot be done.
  Json rename(const std::string& path, const Json& params, std::string& refusal);

 private:
  // The open document's analysis and the position in it; BadParams when it is not open.
  const Analysis& analysis(const std::string& path);
  SourcePos position(const Analysis& a, const Json& params) const;
  // The name at params' position and what it names (each null when there is none).
  std::pair<const tooling::Use*, const tooling::Declaration*> named_at(const Analysis& a, const Json& params) const;
  Json diagnostic(const Diagnostic& d, const Analysis& a) const;
  std::vector<Json> diagnostics_of(const Analysis& a) const;

  Workspace& workspace_;
  ColumnUnit unit_;
};

}  // namespace termijn::lsp::internal
