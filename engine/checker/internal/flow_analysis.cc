// A pass over the lowered graph: reachability, stuck decisions, deadlines that depend on something
// that may not have happened yet.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>

#include "engine/base/language.h"

namespace termijn::checker {

namespace {
constexpr std::size_t kUntracked = static_cast<std::size_t>(-1);
}  // namespace

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
  // other merge the intersection. Only the nodes something asks about (a use's reference, a bound
  // stage's timer) are tracked, a bit each, so the sets stay a few words long.
  std::vector<std::size_t> column(n, kUntracked);
  std::size_t tracked = 0;
  auto track = [&](model::NodeId node) {
    if (node != kNoNode && static_cast<std::size_t>(node) < n && column[node] == kUntracked) column[node] = tracked++;
  };
  for (const auto& use : uses_) track(use.reference.node);
  for (const auto& bound : bound_stages_) track(bound.timer);
  const std::size_t words = (tracked + 63) / 64;
  auto mask = [](std::size_t bit) { return std::uint64_t{1} << (bit % 64); };
  // Row v of `in` and `out` holds words [v * words, (v + 1) * words); all bits start set.
  std::vector<std::uint64_t> in((n + 1) * words, ~std::uint64_t{0}), out((n + 1) * words, ~std::uint64_t{0});
  std::fill(in.begin() + static_cast<std::ptrdiff_t>(root * words), in.end(), 0);
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(root * words), out.end(), 0);
  auto has = [&](const std::vector<std::uint64_t>& set, std::size_t v, std::size_t node) {
    return node < n && (set[v * words + column[node] / 64] & mask(column[node])) != 0;
  };
  std::vector<std::uint64_t> next_in(words), next_out(words);
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t v = 0; v < n; ++v) {
      if (preds[v].empty()) continue;
      bool join = nodes[v].kind == NodeKind::kParallelJoin;
      std::fill(next_in.begin(), next_in.end(), join ? 0 : ~std::uint64_t{0});
      for (std::size_t p : preds[v]) {
        for (std::size_t w = 0; w < words; ++w) {
          next_in[w] = join ? (next_in[w] | out[p * words + w]) : (next_in[w] & out[p * words + w]);
        }
      }
      next_out = next_in;
      if (column[v] != kUntracked) next_out[column[v] / 64] |= mask(column[v]);
      auto row_in = in.begin() + static_cast<std::ptrdiff_t>(v * words);
      auto row_out = out.begin() + static_cast<std::ptrdiff_t>(v * words);
      if (!std::equal(next_in.begin(), next_in.end(), row_in) || !std::equal(next_out.begin(), next_out.end(), row_out)) {
        std::copy(next_in.begin(), next_in.end(), row_in);
        std::copy(next_out.begin(), next_out.end(), row_out);
        changed = true;
      }
    }
  }
  // A bound stage whose body finishes waits for its timer: the body must have set it by then.
  for (const auto& bound : bound_stages_) {
    const model::Scope& stage = out_->scopes[bound.scope];
    for (std::size_t p : preds[stage.exit]) {
      if (p == root || !reachable[p] || nodes[p].scope != bound.scope || has(out, p, bound.timer)) continue;
      diagnostics_.error(bound.range, tr("stage '{}' runs until '{}', but '{}' is not always set when the "
                                         "stage's steps are done: set it before the stage or inside it",
                                         stage.name, stage.until, stage.until));
      break;
    }
  }
  for (const auto& use : uses_) {
    if (use.reference.node == kNoNode || use.user == kNoNode || !reachable[use.user]) continue;
    if (has(in, use.user, use.reference.node)) continue;
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
