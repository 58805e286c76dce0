// A pass over the lowered graph: reachability, stuck decisions, deadlines that depend on something
// that may not have happened yet.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "engine/base/language.h"

namespace termijn::checker {

void ProcessCompiler::check_flow() {
  const auto& nodes = out_->nodes;
  const std::size_t n = nodes.size();
  const std::size_t root = n;  // a virtual node before every start
  std::vector<std::vector<std::size_t>> preds(n + 1);
  for (const auto& node : nodes) {
    for (const auto& edge : node.next) {
      if (edge.target != kNoNode) preds[edge.target].push_back(node.id);
    }
  }
  for (NodeId s : out_->starts) preds[s].push_back(root);
  for (const auto& [enter, entry] : handler_links_) {
    if (entry != kNoNode) preds[entry].push_back(enter == kNoNode ? root : static_cast<std::size_t>(enter));
  }

  // Reachability from the starts.
  std::vector<bool> reachable(n + 1, false);
  reachable[root] = true;
  std::vector<std::vector<std::size_t>> succ(n + 1);
  for (std::size_t v = 0; v <= n; ++v) {
    for (std::size_t p : preds[v]) succ[p].push_back(v);
  }
  std::vector<std::size_t> work{root};
  while (!work.empty()) {
    std::size_t v = work.back();
    work.pop_back();
    for (std::size_t w : succ[v]) {
      if (!reachable[w]) {
        reachable[w] = true;
        work.push_back(w);
      }
    }
  }
  // Report where each unreachable stretch begins; the steps after it follow from it.
  auto is_synthetic = [&](const model::Node& node) {
    return node.kind == NodeKind::kParallelJoin || node.kind == NodeKind::kForEachJoin ||
           node.kind == NodeKind::kScopeExit || node.kind == NodeKind::kStart;
  };
  std::set<std::size_t> reported;
  std::function<void(std::size_t)> report = [&](std::size_t v) {
    if (!reported.insert(v).second || silenced_.count(static_cast<NodeId>(v)) != 0) return;
    if (is_synthetic(nodes[v])) {
      for (std::size_t w : succ[v]) {
        if (!reachable[w] && preds[w].size() == 1) report(w);
      }
      return;
    }
    const model::Node& node = nodes[v];
    std::string what = node.kind == NodeKind::kScopeEnter ? "stage" : model::to_string(node.kind);
    bool unnamed = node.name.find('#') != std::string::npos;
    diagnostics_.error(node.range.valid() ? node.range : decl_.name.range,
                       unnamed ? tr("this {} step can never be reached", what)
                               : tr("{} '{}' can never be reached", what, node.name));
  };
  if (!out_->starts.empty()) {
    for (std::size_t v = 0; v < n; ++v) {
      if (!reachable[v] && preds[v].empty() && nodes[v].kind != NodeKind::kStart) report(v);
    }
  }

  // Must-have-happened analysis: in[v] holds the nodes that have certainly been passed whenever
  // v is reached. Joins of parallel branches take the union (all branches finished); every
  // other merge the intersection.
  std::vector<std::vector<bool>> in(n + 1, std::vector<bool>(n, true)), out(n + 1, std::vector<bool>(n, true));
  in[root].assign(n, false);
  out[root].assign(n, false);
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t v = 0; v < n; ++v) {
      if (preds[v].empty()) continue;
      bool join = nodes[v].kind == NodeKind::kParallelJoin;
      std::vector<bool> next_in(n, !join);
      for (std::size_t p : preds[v]) {
        for (std::size_t i = 0; i < n; ++i) next_in[i] = join ? (next_in[i] || out[p][i]) : (next_in[i] && out[p][i]);
      }
      std::vector<bool> next_out = next_in;
      next_out[v] = true;
      if (next_in != in[v] || next_out != out[v]) {
        in[v] = std::move(next_in);
        out[v] = std::move(next_out);
        changed = true;
      }
    }
  }
  // A bound stage whose body finishes waits for its timer: the body must have set it by then.
  for (const auto& bound : bound_stages_) {
    const model::Scope& stage = out_->scopes[bound.scope];
    for (std::size_t p : preds[stage.exit]) {
      if (p == root || !reachable[p] || nodes[p].scope != bound.scope || out[p][bound.timer]) continue;
      diagnostics_.error(bound.range, tr("stage '{}' runs until '{}', but '{}' is not always set when the "
                                         "stage's steps are done: set it before the stage or inside it",
                                         stage.name, stage.until, stage.until));
      break;
    }
  }
  for (const auto& use : uses_) {
    if (use.reference.node == kNoNode || use.user == kNoNode || !reachable[use.user]) continue;
    if (in[use.user][use.reference.node]) continue;
    const model::Node& user = nodes[use.user];
    if (use.deadline) {
      diagnostics_.error(use.reference.range,
                         tr("the deadline of {} '{}' can never be computed on every path: it needs '{}', "
                            "which is not always reached before '{}'",
                            model::to_string(user.kind), user.name, use.reference.name, user.name));
    } else {
      diagnostics_.error(use.reference.range,
                         tr("'{}' is not always reached before {} '{}', so its time and outputs may "
                            "not exist yet", use.reference.name, model::to_string(user.kind), user.name));
    }
  }
}

}  // namespace termijn::checker
