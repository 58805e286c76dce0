#include "engine/model/dot.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>

namespace termijn::model {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string task_label(const Node& n) {
  std::string label = n.title.empty() ? n.name : fmt::format("{}\n({})", n.title, n.name);
  label += fmt::format("\n[{}]", n.role);
  if (n.within) label += fmt::format(" within {}", to_source(*n.within));
  if (n.due) label += fmt::format(" due {}", to_source(*n.due));
  for (const auto& r : n.escalation) {
    bool before = r.offset.months < 0 || r.offset.days < 0 || r.offset.minutes < 0;
    std::string when = r.at_due ? "at due"
                       : before ? fmt::format("due - {}", termijn::to_string(negate(r.offset)))
                                : fmt::format("due + {}", termijn::to_string(r.offset));
    std::vector<std::string> what;
    if (!r.notify.empty()) what.push_back(fmt::format("notify {}", fmt::join(r.notify, ", ")));
    if (r.reassign_to) what.push_back(fmt::format("to {}", *r.reassign_to));
    if (r.raise_level) what.push_back(fmt::format("level {}", *r.raise_level));
    label += fmt::format("\n! {}: {}", when, fmt::join(what, ", "));
  }
  return label;
}

std::string node_attributes(const Node& n) {
  std::string shape, label, style = "filled";
  switch (n.kind) {
    case NodeKind::kStart:
      shape = "circle";
      label = n.target;
      break;
    case NodeKind::kTask:
      shape = "box";
      style = "rounded,filled";
      label = task_label(n);
      break;
    case NodeKind::kMilestone:
      shape = "cds";
      label = n.title.empty() ? n.name : n.title;
      break;
    case NodeKind::kDecision: {
      shape = "diamond";
      label = n.title.empty() ? n.name : n.title;
      break;
    }
    case NodeKind::kTimer:
      shape = "box";
      style = "rounded,dashed,filled";
      label = fmt::format("timer {}\n= {}", n.name, n.expr ? to_source(*n.expr) : "");
      break;
    case NodeKind::kWaitUntil:
      shape = "box";
      style = "dashed,filled";
      label = fmt::format("wait until\n{}", n.expr ? to_source(*n.expr) : "");
      break;
    case NodeKind::kWaitFor:
      shape = "box";
      style = "dashed,filled";
      label = fmt::format("wait for {}", n.target);
      break;
    case NodeKind::kParallelSplit:
    case NodeKind::kParallelJoin:
      shape = "square";
      label = "+";
      break;
    case NodeKind::kForEachSplit:
      shape = "square";
      label = fmt::format("for each\n{}", n.target);
      break;
    case NodeKind::kForEachJoin:
      shape = "square";
      label = "each done";
      break;
    case NodeKind::kCall:
      shape = "box";
      style = "filled";
      label = fmt::format("call {}", n.target);
      break;
    case NodeKind::kGuard:
      shape = "hexagon";
      label = fmt::format("require {}\nelse: {}", n.expr ? to_source(*n.expr) : "", n.message);
      break;
    case NodeKind::kNotify:
      shape = "note";
      label = fmt::format("notify {}\n{}", fmt::join(n.roles, ", "), n.message);
      break;
    case NodeKind::kSignal:
      shape = "cds";
      style = "dashed,filled";
      label = fmt::format("signal {}", n.target);
      break;
    case NodeKind::kSet:
      shape = "box";
      style = "dashed,filled";
      label = fmt::format("set {}\n= {}", n.target, n.expr ? to_source(*n.expr) : "");
      break;
    case NodeKind::kScopeEnter:
    case NodeKind::kScopeExit:
      return "shape=point, width=0.12";
    case NodeKind::kEnd:
      // A small mark with the reason beside it; a circle sized to the text would dwarf the flow.
      return fmt::format("shape=doublecircle, style=filled, fillcolor=black, width=0.2, fixedsize=true, "
                         "label=\"\", xlabel=\"{}\"",
                         escape(n.message.empty() ? "end" : n.message));
  }
  const char* fill = "white";
  if (n.origin == Origin::kAdded) fill = "palegreen";
  if (n.origin == Origin::kOverridden) fill = "gold";
  return fmt::format("shape={}, style=\"{}\", fillcolor={}, label=\"{}\"{}", shape, style, fill, escape(label),
                     n.kind == NodeKind::kCall ? ", peripheries=2" : "");
}

// A stage whose every path jumps elsewhere has an exit nobody reaches: leave it out.
bool drawn(const Process& p, const Node& n) {
  if (n.kind != NodeKind::kScopeExit) return true;
  for (const auto& other : p.nodes) {
    for (const auto& e : other.next) {
      if (e.target == n.id) return true;
    }
  }
  for (const auto& s : p.scopes) {
    if (s.on_end == n.id) return true;
    for (const auto& h : s.handlers) {
      if (h.entry == n.id) return true;
    }
  }
  return false;
}

void emit_scope(std::string& out, const Process& p, int scope, int depth) {
  std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  for (const auto& n : p.nodes) {
    if (n.scope == scope && drawn(p, n)) out += fmt::format("{}n{} [{}];\n", indent, n.id, node_attributes(n));
  }
  for (const auto& s : p.scopes) {
    if (s.parent != scope || s.id == 0) continue;
    const Node& enter = p.nodes[s.enter];
    out += fmt::format("{}subgraph cluster_{} {{\n", indent, s.id);
    std::string title = enter.title.empty() ? s.name : fmt::format("{} ({})", enter.title, s.name);
    if (!s.until.empty()) title += fmt::format("\nuntil {}", s.until);
    for (const auto& h : s.handed_on) {
      title += fmt::format("\nhands on {}{}", p.nodes[h.task].name, h.to_role.empty() ? "" : " to " + h.to_role);
    }
    out += fmt::format("{}  label=\"{}\"; style=\"rounded\"; color=grey50;\n", indent, escape(title));
    if (enter.origin == Origin::kAdded) out += fmt::format("{}  bgcolor=\"#eaffea\";\n", indent);
    emit_scope(out, p, s.id, depth + 1);
    out += fmt::format("{}}}\n", indent);
  }
}

}  // namespace

std::string to_dot(const Process& p) {
  std::string out;
  out += fmt::format("digraph \"{}\" {{\n", escape(p.name));
  std::string title = p.title.empty() ? p.name : fmt::format("{} ({})", p.title, p.name);
  if (!p.parent.empty()) title += fmt::format(" extends {}", p.parent);
  out += fmt::format("  label=\"{} v{}\"; labelloc=t; fontname=\"Helvetica\"; rankdir=TB;\n", escape(title), p.version);
  out += "  node [fontname=\"Helvetica\", fontsize=10]; edge [fontname=\"Helvetica\", fontsize=9];\n";
  emit_scope(out, p, 0, 1);
  for (const auto& n : p.nodes) {
    if (!drawn(p, n)) continue;
    for (std::size_t i = 0; i < n.next.size(); ++i) {
      const Edge& e = n.next[i];
      std::string label = e.condition ? to_source(*e.condition) : e.label;
      if (e.detached) label += " (not waited for)";
      std::string attributes = label.empty() ? "" : fmt::format(" [label=\"{}\"]", escape(label));
      if (e.target == kNoNode) {
        // A branch that ends where its handler ends (`otherwise { }` as a handler's last step):
        // drawn to a point of its own, not to a node that does not exist.
        out += fmt::format("  n{0}_end{1} [shape=point, width=0.08];\n  n{0} -> n{0}_end{1}{2};\n", n.id, i, attributes);
        continue;
      }
      out += fmt::format("  n{} -> n{}{};\n", n.id, e.target, attributes);
    }
  }
  for (const auto& s : p.scopes) {
    if (s.on_end != kNoNode) {
      out += fmt::format("  n{} -> n{} [style=dashed, color=darkorange, label=\"when {} passes\"];\n", s.enter,
                         s.on_end, escape(s.until));
    }
    for (const auto& h : s.handlers) {
      if (h.entry == kNoNode) continue;
      std::string from = s.enter != kNoNode ? fmt::format("n{}", s.enter) : "on_process";
      if (s.enter == kNoNode && out.find("on_process [") == std::string::npos) {
        out += "  on_process [shape=plaintext, label=\"while the case runs\"];\n";
      }
      out += fmt::format("  {} -> n{} [style=dashed, color={}, label=\"on {}{}\"];\n", from, h.entry,
                         h.interrupting ? "red" : "blue", escape(h.event), h.interrupting ? " (interrupting)" : "");
    }
  }
  if (!p.parent.empty()) {
    std::string legend = fmt::format("variant of {}\\lgreen: added\\lamber: overridden\\l", escape(p.parent));
    if (!p.removed.empty()) legend += fmt::format("removed: {}\\l", escape(fmt::format("{}", fmt::join(p.removed, ", "))));
    out += fmt::format("  legend [shape=note, fontsize=9, label=\"{}\"];\n", legend);
  }
  out += "}\n";
  return out;
}

// Graphviz through a file rather than stdin (the DOT text is written whole before `dot` reads),
// its drawing read from a pipe until `limit` has passed; then `dot` is killed. A process of a
// hundred decisions jumping about took `dot` 40 s, so the limit is what keeps a drawing bounded.
Drawing render_svg(const std::string& dot, std::chrono::milliseconds limit) {
  std::error_code ec;
  std::string input = (std::filesystem::temp_directory_path(ec) / "termijn-diagram-XXXXXX.dot").string();
  int file = ::mkstemps(input.data(), 4);
  if (file < 0) return {std::nullopt, DrawingProblem::kFailed};
  bool written = ::write(file, dot.data(), dot.size()) == static_cast<ssize_t>(dot.size());
  ::close(file);
  struct Removed {
    const std::string& path;
    ~Removed() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } removed{input};
  if (!written) return {std::nullopt, DrawingProblem::kFailed};

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return {std::nullopt, DrawingProblem::kFailed};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::string format = "-Tsvg";
  char* argv[] = {const_cast<char*>("dot"), format.data(), input.data(), nullptr};
  pid_t child = 0;
  int spawned = ::posix_spawnp(&child, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) {
    ::close(out[0]);
    return {std::nullopt, DrawingProblem::kNoGraphviz};
  }

  std::string svg;
  bool too_slow = false;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::array<char, 8192> buffer{};
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || svg.size() > kDrawingBytes) {
      too_slow = true;
      break;
    }
    pollfd ready{out[0], POLLIN, 0};
    int n = ::poll(&ready, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;  // a signal (a timer's, a profiler's) is no end of the drawing
    if (n < 0) break;
    if (n == 0) continue;  // the deadline is checked above
    ssize_t got = ::read(out[0], buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    svg.append(buffer.data(), static_cast<std::size_t>(got));
  }
  ::close(out[0]);
  if (too_slow) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_slow) return {std::nullopt, DrawingProblem::kTooLarge};
  // posix_spawnp reports a missing program as exit status 127 of the child.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return {std::nullopt, DrawingProblem::kNoGraphviz};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || svg.empty()) return {std::nullopt, DrawingProblem::kFailed};
  return {std::move(svg), DrawingProblem::kNone};
}

}  // namespace termijn::model
