// Places each deadline, rung and timer of a process in time by walking its graph forward from
// the anchors the model cannot place itself.
#include "engine/diff/internal/timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

#include "engine/base/language.h"

namespace termijn::diff::internal {

namespace {

using model::Node;
using model::NodeKind;
using model::NodeId;

Offset plus(Offset o, const Duration& d, int sign) {
  switch (d.kind) {
    case DurationKind::kCalendar: o.months += sign * d.months; o.days += sign * d.days; break;
    case DurationKind::kWorking: o.working_days += sign * d.days; break;
    case DurationKind::kClock: o.minutes += sign * d.minutes; break;
  }
  return o;
}

// A term or a literal: the durations a deadline is written with (`within Aanname.x`, `within 2 days`).
std::optional<Duration> duration_of(const model::Expr& e) {
  if (e.kind == model::Expr::Kind::kTerm || e.kind == model::Expr::Kind::kDuration) return e.duration;
  return std::nullopt;
}

Moment anchored(std::string anchor, std::string label) {
  Moment m;
  m.known = true;
  m.anchor = std::move(anchor);
  m.anchor_label = std::move(label);
  return m;
}

Moment unknown(std::string base, std::string condition = "") {
  Moment m;
  m.base = std::move(base);
  m.condition = std::move(condition);
  return m;
}

// How a node is reached: at a known moment, or after the steps in `after` ("rihg is done").
// `otherwise` names what other routes to it wait for, when they differ.
struct Arrival {
  Moment moment;
  std::vector<std::string> after;
  std::vector<std::string> otherwise;
  bool same(const Arrival& o) const {
    return moment.same_as(o.moment) && after == o.after && otherwise == o.otherwise;
  }
};

void add_once(std::vector<std::string>& to, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (std::find(to.begin(), to.end(), name) == to.end()) to.push_back(name);
  }
}

bool is_join(NodeKind kind) { return kind == NodeKind::kParallelJoin || kind == NodeKind::kForEachJoin; }

class Planner {
 public:
  explicit Planner(const model::Process& p) : p_(p) {
    for (std::size_t i = 0; i < p.nodes.size(); ++i) index_[p.nodes[i].id] = i;
  }

  std::vector<TimedItem> items() {
    plan();
    std::vector<TimedItem> out;
    for (const Node& n : p_.nodes) {
      if (n.kind == NodeKind::kTimer) {
        out.push_back({"timer " + n.target, n.name, tr("timer {} goes off", n.target), "", evaluate(*n.expr, 0)});
      } else if (n.kind == NodeKind::kSet && n.expr && timer_node(n.target) != nullptr) {
        out.push_back({"set " + n.target + " = " + model::to_source(*n.expr), n.name,
                       tr("timer {} when moved ({})", n.target, model::to_source(*n.expr)), "",
                       evaluate(*n.expr, 0)});
      } else if (n.kind == NodeKind::kTask && (n.due || n.within)) {
        Moment due = deadline(n);
        out.push_back({n.name + " due", n.name, tr("{} due", n.name), "", due});
        for (std::size_t i = 0; i < n.escalation.size(); ++i) {
          const auto& rung = n.escalation[i];
          Moment at = due;
          if (!rung.at_due) at.offset = plus(at.offset, rung.offset, 1);
          out.push_back({fmt::format("{} rung {}", n.name, i + 1), n.name, tr("{} escalates", n.name), rung_action(rung, false), at});
        }
      }
    }
    return out;
  }

 private:
  const Node* node(NodeId id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &p_.nodes[it->second];
  }

  const Node* timer_node(const std::string& name) const {
    for (const Node& n : p_.nodes) {
      if (n.kind == NodeKind::kTimer && n.target == name) return &n;
    }
    return nullptr;
  }

  // The moment a timer is first set to (a `set` that moves it is an item of its own).
  Moment timer_moment(const std::string& name, int depth) {
    const Node* t = timer_node(name);
    if (t == nullptr || !t->expr) return unknown(name);
    return evaluate(*t->expr, depth + 1);
  }

  Moment evaluate(const model::Expr& e, int depth) {
    using K = model::Expr::Kind;
    if (depth > 16) return unknown(model::to_source(e));  // timers defined through one another
    switch (e.kind) {
      case K::kReached: {
        const Node* n = p_.find_node(e.text);
        if (n == nullptr) return unknown(e.text);
        if (n->kind == NodeKind::kMilestone) return milestone(*n);
        if (n->kind == NodeKind::kTimer) return timer_moment(n->target, depth);
        return unknown(tr("{} is done", e.text));
      }
      case K::kField: return anchored("field " + e.text, tr("the case's '{}'", e.text));
      case K::kReceived: return anchored("event " + e.text, tr("when '{}' arrives", e.text));
      case K::kBinary: {
        bool shift = (e.op == BinaryOp::kAdd || e.op == BinaryOp::kSub) && e.operands.size() == 2 &&
                     duration_of(e.operands[1]);
        if (!shift) break;
        Moment m = evaluate(e.operands[0], depth + 1);
        m.offset = plus(m.offset, *duration_of(e.operands[1]), e.op == BinaryOp::kAdd ? 1 : -1);
        return m;
      }
      default: break;
    }
    return unknown(model::to_source(e));
  }

  Moment milestone(const Node& n) const {
    return anchored(n.name, n.title.empty() ? n.name : fmt::format("'{}' ({})", n.title, n.name));
  }

  Moment deadline(const Node& task) {
    if (task.due) return evaluate(*task.due, 0);
    std::optional<Duration> within = duration_of(*task.within);
    if (!within) return unknown(tr("{} opens + {}", task.name, model::to_source(*task.within)));
    auto it = arrival_.find(task.id);
    Moment m;
    if (it != arrival_.end() && it->second.moment.known) {
      m = it->second.moment;
    } else {
      std::string condition = tr("from when it opens");
      if (it != arrival_.end() && !it->second.after.empty()) {
        condition = tr("it opens when {}", fmt::join(it->second.after, tr(" and ")));
        if (!it->second.otherwise.empty()) condition += tr(", or when {}", fmt::join(it->second.otherwise, tr(", or when ")));
      }
      m = unknown(tr("{} opens", task.name), condition);
    }
    m.offset = plus(m.offset, *within, 1);
    return m;
  }

  // What follows a node: the same moment, a new anchor, or "after" it.
  Arrival leave(const Node& n, const Arrival& in) {
    switch (n.kind) {
      case NodeKind::kMilestone: return {milestone(n), {}, {}};
      case NodeKind::kTask: case NodeKind::kCall: case NodeKind::kGuard:
        return {unknown(""), {n.name + " is done"}, {}};
      case NodeKind::kWaitFor: return {unknown(""), {n.target + " arrives"}, {}};
      case NodeKind::kWaitUntil: {
        Moment m = evaluate(*n.expr, 0);
        if (m.known) return {m, {}, {}};
        return {unknown(""), {"the wait " + n.name + " ends"}, {}};
      }
      default: return {in.moment, in.after, in.otherwise};
    }
  }

  // A node reached twice keeps its first arrival (the first start route, or the main flow before
  // the handlers), except a join, which waits for every branch.
  void reach(NodeId id, Arrival a) {
    const Node* n = node(id);
    if (n == nullptr) return;
    auto it = arrival_.find(id);
    if (it == arrival_.end()) {
      arrival_.emplace(id, std::move(a));
      work_.push_back(id);
      return;
    }
    if (it->second.same(a)) return;
    if (!is_join(n->kind)) {
      // Another route (a decision's other branch): said beside the first, which keeps the time.
      std::size_t known = it->second.otherwise.size();
      if (!it->second.moment.known && !a.moment.known) {
        std::vector<std::string> routes = a.otherwise;
        routes.push_back(fmt::format("{}", fmt::join(a.after, " and ")));
        std::string own = fmt::format("{}", fmt::join(it->second.after, " and "));
        routes.erase(std::remove(routes.begin(), routes.end(), own), routes.end());
        add_once(it->second.otherwise, routes);
      }
      if (it->second.otherwise.size() != known) work_.push_back(id);
      return;
    }
    Arrival merged{unknown(""), it->second.after, it->second.otherwise};
    add_once(merged.after, a.after);
    if (merged.same(it->second)) return;
    it->second = std::move(merged);
    work_.push_back(id);
  }

  void drain() {
    while (!work_.empty()) {
      NodeId id = work_.front();
      work_.pop_front();
      const Node* n = node(id);
      Arrival out = leave(*n, arrival_.at(id));
      for (const auto& edge : n->next) reach(edge.target, out);
    }
  }

  void plan() {
    for (NodeId start : p_.starts) reach(start, {anchored("start", tr("the start of the case")), {}, {}});
    drain();
    for (const auto& scope : p_.scopes) {
      for (const auto& handler : scope.handlers) {
        Moment m = timer_node(handler.event) != nullptr
                       ? timer_moment(handler.event, 0)
                       : anchored("event " + handler.event, tr("when '{}' arrives", handler.event));
        reach(handler.entry, {m, {}, {}});
      }
      if (scope.on_end != model::kNoNode) reach(scope.on_end, {timer_moment(scope.until, 0), {}, {}});
      drain();
    }
  }

  const model::Process& p_;
  std::map<NodeId, std::size_t> index_;
  std::map<NodeId, Arrival> arrival_;
  std::deque<NodeId> work_;
};

std::string amount(Duration d) { return termijn::to_string(d); }

}  // namespace

std::string rung_action(const model::EscalationRung& rung, bool with_message) {
  std::vector<std::string> parts;
  if (!rung.notify.empty()) {
    std::string message = with_message && rung.message ? fmt::format(" \"{}\"", *rung.message) : "";
    parts.push_back(fmt::format("notify {}{}", fmt::join(rung.notify, ", "), message));
  }
  if (rung.reassign_to) parts.push_back("reassign to " + *rung.reassign_to);
  if (rung.raise_level) parts.push_back(fmt::format("raise level {}", *rung.raise_level));
  return fmt::format("{}", fmt::join(parts, " and "));
}

std::vector<TimedItem> timed_items(const model::Process& process) { return Planner(process).items(); }

std::string describe(const Offset& o) {
  std::vector<std::string> parts;
  if (o.months != 0) parts.push_back(amount({DurationKind::kCalendar, o.months, 0, 0}));
  if (o.working_days != 0) parts.push_back(amount({DurationKind::kWorking, 0, o.working_days, 0}));
  std::int64_t total = o.days * 24 * 60 + o.minutes;
  if (total != 0 || parts.empty()) {
    // Calendar days keep the clock time and hours are elapsed time; across a change of summer
    // time they differ by an hour, which a coordinator's "day 8 +22 h" leaves out.
    std::int64_t day = total >= 0 ? total / 1440 : -((-total + 1439) / 1440);
    std::int64_t rest = total - day * 1440;
    std::string text = tr("day {}", day);
    if (rest != 0) text += rest % 60 == 0 ? tr(" +{} h", rest / 60) : tr(" +{} h {} min", rest / 60, rest % 60);
    parts.push_back(text);
  }
  return fmt::format("{}", fmt::join(parts, " + "));
}

When describe(const Moment& m) {
  When w;
  const Offset& o = m.offset;
  w.order = static_cast<double>(o.months) * 30 * 1440 + static_cast<double>(o.days) * 1440 +
            static_cast<double>(o.working_days) * 1440 * 7 / 5 + static_cast<double>(o.minutes);
  if (m.known) {
    w.known = true;
    w.anchor = m.anchor;
    w.anchor_label = m.anchor_label;
    w.at = describe(o);
    return w;
  }
  w.condition = m.condition;
  std::vector<Duration> parts;
  if (o.months != 0) parts.push_back({DurationKind::kCalendar, o.months, 0, 0});
  if (o.days != 0) parts.push_back({DurationKind::kCalendar, 0, o.days, 0});
  if (o.working_days != 0) parts.push_back({DurationKind::kWorking, 0, o.working_days, 0});
  if (o.minutes != 0) parts.push_back({DurationKind::kClock, 0, 0, o.minutes});
  if (parts.empty()) {
    w.at = tr("when {}", m.base);
    return w;
  }
  bool all_before = std::all_of(parts.begin(), parts.end(), [](const Duration& d) {
    return d.months < 0 || d.days < 0 || d.minutes < 0;
  });
  std::vector<std::string> words;
  for (const auto& d : parts) words.push_back(amount(all_before ? negate(d) : d));
  w.at = all_before ? tr("{} before {}", fmt::join(words, " + "), m.base) : tr("{} after {}", fmt::join(words, " + "), m.base);
  return w;
}

}  // namespace termijn::diff::internal
