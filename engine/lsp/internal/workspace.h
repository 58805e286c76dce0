// What the language server holds: the documents the editor has open (their unsaved texts), what
// each one checks to, and on demand an index of the whole workspace for references and rename.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/tooling/document_check.h"
#include "engine/tooling/symbol_index.h"

namespace termijn::lsp::internal {

struct Document {
  std::string uri;
  std::string text;
  std::int64_t version = 0;
};

// One document checked, and its names indexed.
struct Analysis {
  tooling::DocumentCheck check;
  // The processes the document's names live in: a process file's own program; for a scenario
  // file the process files its scenarios name. Nothing for a simulation file.
  std::optional<Compilation> program;
  std::unique_ptr<tooling::SymbolIndex> index;

  const model::Model* model() const { return program && program->model ? program->model.get() : nullptr; }
  // The paths of every file the check read, the document's own included.
  std::vector<std::string> files() const;
};

// The workspace index: every process and scenario file under the workspace folders.
struct WorkspaceIndex {
  std::unique_ptr<tooling::SymbolIndex> index;
  std::shared_ptr<const model::Model> model;
};

class Workspace {
 public:
  explicit Workspace(std::vector<std::filesystem::path> stdlib_dirs) : stdlib_dirs_(std::move(stdlib_dirs)) {}

  void set_roots(std::vector<std::filesystem::path> roots) { roots_ = std::move(roots); }

  // Each returns the other open documents that read `path` and must be checked again; `open`
  // refuses (nothing) when limits::kLspOpenDocuments are open already, `change` when `path` is
  // not open.
  std::optional<std::vector<std::string>> open(const std::string& path, Document document);
  std::optional<std::vector<std::string>> change(const std::string& path, std::string text, std::int64_t version);
  std::vector<std::string> close(const std::string& path);
  const Document* document(const std::string& path) const;
  const std::map<std::string, Document>& documents() const { return documents_; }

  // The analysis of an open document, computed again only after it or a file it read changed.
  const Analysis& analysis(const std::string& path);
  // Forgets every analysis that read `path` (a file was saved or changed); returns the other open
  // documents among them.
  std::vector<std::string> invalidate(const std::string& path);

  // The index of every .wth and .scenario file under the workspace folders (at most
  // limits::kFilesPerProgram of each, those nearest `near` first), open texts standing in for
  // files on disk. Built once and kept until a document is opened, changed, saved or closed.
  const WorkspaceIndex& whole(const std::string& near);

  const std::vector<std::filesystem::path>& stdlib_dirs() const { return stdlib_dirs_; }

 private:
  std::map<std::string, std::string> unsaved() const;

  std::vector<std::filesystem::path> stdlib_dirs_;
  std::vector<std::filesystem::path> roots_;
  std::map<std::string, Document> documents_;
  std::map<std::string, Analysis> analyses_;
  std::optional<WorkspaceIndex> whole_;
};

}  // namespace termijn::lsp::internal
