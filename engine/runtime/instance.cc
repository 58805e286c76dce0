#include "engine/runtime/instance.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/json_text.h"

namespace termijn::runtime {

const char* to_string(TaskStatus s) {
  switch (s) {
    case TaskStatus::kOpen: return "open";
    case TaskStatus::kCompleted: return "completed";
    case TaskStatus::kCancelled: return "cancelled";
  }
  return "?";
}
const char* to_string(TimerKind k) {
  switch (k) {
    case TimerKind::kNamed: return "timer";
    case TimerKind::kRung: return "escalation";
    case TimerKind::kWait: return "wait";
  }
  return "?";
}
const char* to_string(TimerStatus s) {
  switch (s) {
    case TimerStatus::kPending: return "pending";
    case TimerStatus::kFired: return "fired";
    case TimerStatus::kCancelled: return "cancelled";
    case TimerStatus::kFailed: return "failed";
  }
  return "?";
}
const char* to_string(TokenState s) {
  switch (s) {
    case TokenState::kReady: return "ready";
    case TokenState::kTask: return "task";
    case TokenState::kWaitTimer: return "wait-timer";
    case TokenState::kWaitEvent: return "wait-event";
    case TokenState::kGuard: return "guard";
    case TokenState::kCall: return "call";
  }
  return "?";
}
const char* to_string(CaseStatus s) {
  switch (s) {
    case CaseStatus::kRunning: return "running";
    case CaseStatus::kCompleted: return "completed";
    case CaseStatus::kTerminated: return "terminated";
  }
  return "?";
}

namespace {

// The value whose to_string is `text`, if any.
template <typename E>
std::optional<E> named(std::string_view text, std::initializer_list<E> values) {
  for (E v : values) {
    if (text == to_string(v)) return v;
  }
  return std::nullopt;
}

// In a stored state: an unknown name reads as the first value.
template <typename E>
E enum_from(const std::string& text, std::initializer_list<E> values) {
  return named(text, values).value_or(*values.begin());
}

template <typename E>
E strict_enum_from(std::string_view text, std::initializer_list<E> values, const char* what) {
  if (auto v = named(text, values)) return *v;
  throw std::invalid_argument(std::string("not a ") + what + ": '" + std::string(text.substr(0, 40)) + "'");
}

Json deadline_json(const Deadline& d) { return Json{{"at", to_millis(d.at)}, {"why", d.why}}; }

Json opt_instant(const std::optional<Instant>& t) { return t ? Json(to_millis(*t)) : Json(); }
std::optional<Instant> opt_instant_from(const Json& j) {
  if (j.is_null()) return std::nullopt;
  return from_millis(j.get<std::int64_t>());
}

Json frames_json(const std::vector<Frame>& frames) {
  Json out = Json::array();
  for (const auto& f : frames) out.push_back(Json{{"fork", f.fork}, {"vars", f.vars}});
  return out;
}

std::vector<Frame> frames_from(const Json& j) {
  std::vector<Frame> out;
  for (const auto& f : j) out.push_back(Frame{f.at("fork"), f.at("vars")});
  return out;
}

Json received_json(const std::map<std::string, Instant>& received) {
  Json out = Json::object();
  for (const auto& [event, at] : received) out[event] = to_millis(at);
  return out;
}

std::map<std::string, Instant> received_from(const Json& j) {
  std::map<std::string, Instant> out;
  for (const auto& [event, at] : j.items()) out[event] = from_millis(at.get<std::int64_t>());
  return out;
}

}  // namespace

Json to_json(const Task& t) {
  return Json{{"id", t.id}, {"case", t.case_id}, {"node", t.node}, {"token", t.token}, {"name", t.name},
              {"title", t.title}, {"role", t.role}, {"status", to_string(t.status)}, {"opened", to_millis(t.opened)},
              {"due", deadline_json(t.due)}, {"closed", opt_instant(t.closed)}, {"closed_by", t.closed_by},
              {"outputs", t.outputs ? t.outputs->value : Json::object()}, {"level", t.escalation_level}};
}

Json to_json(const Timer& t) {
  Json j{{"id", t.id}, {"case", t.case_id}, {"kind", to_string(t.kind)}, {"name", t.name}, {"task", t.task},
              {"rung", t.rung}, {"token", t.token}, {"due", deadline_json(t.due)}, {"status", to_string(t.status)},
              {"fired_at", opt_instant(t.fired_at)}};
  if (t.status == TimerStatus::kFailed) {
    j["failed_at"] = opt_instant(t.failed_at);
    j["failure"] = t.failure;
  }
  return j;
}

namespace {

// The parts of a case's state that are small: built as JSON values by to_json and state_text.
Json tokens_json(const Instance& i) {
  Json tokens = Json::array();
  for (const auto& t : i.tokens) {
    Json token{{"id", t.id}, {"node", t.node}, {"state", to_string(t.state)}, {"frames", frames_json(t.frames)},
               {"scopes", t.scopes}, {"task", t.task}, {"timer", t.timer},
               {"waiting_for", t.waiting_for}, {"child", t.child}};
    if (!t.received.empty()) token["received"] = received_json(t.received);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

Json reached_json(const Instance& i) {
  Json reached = Json::object();
  for (const auto& [node, at] : i.reached) reached[std::to_string(node)] = to_millis(at);
  return reached;
}

Json forks_json(const Instance& i) {
  Json forks = Json::object();
  for (const auto& [id, f] : i.forks) forks[std::to_string(id)] = Json{{"expected", f.expected}, {"arrived", f.arrived}};
  return forks;
}

Json scopes_json(const Instance& i) {
  Json scopes = Json::object();
  for (const auto& [id, s] : i.scopes) {
    Json scope{{"scope", s.scope}, {"parent", s.parent}};
    if (!s.frames.empty()) scope["frames"] = frames_json(s.frames);
    if (!s.received.empty()) scope["received"] = received_json(s.received);
    scopes[std::to_string(id)] = std::move(scope);
  }
  return scopes;
}

Json stage_ends_json(const Instance& i) {
  Json stage_ends = Json::array();
  for (const auto& e : i.stage_ends) stage_ends.push_back(Json{{"stage", e.stage}, {"term", e.term}, {"at", to_millis(e.at)}});
  return stage_ends;
}

}  // namespace

Json to_json(const Instance& i) {
  Json outputs = Json::object();
  for (const auto& [node, out] : i.outputs) outputs[std::to_string(node)] = out->value;
  return Json{{"id", i.id}, {"process", i.process}, {"hash", i.hash}, {"status", to_string(i.status)},
              {"level", i.level}, {"started", to_millis(i.started)}, {"ended", opt_instant(i.ended)},
              {"end_reason", i.end_reason}, {"parent_case", i.parent_case}, {"parent_token", i.parent_token},
              {"data", i.data}, {"reached", reached_json(i)}, {"outputs", outputs}, {"named_timers", i.named_timers},
              {"tokens", tokens_json(i)}, {"forks", forks_json(i)}, {"scopes", scopes_json(i)},
              {"stage_ends", stage_ends_json(i)}, {"next", {i.next_token, i.next_fork, i.next_scope}}};
}

namespace {

// state_text's pieces: each writes what the JSON value of its part dumps to, with the keys of an
// object in the order nlohmann::json keeps them (by their text).
class StateWriter {
 public:
  explicit StateWriter(std::string& out) : out_(out) {}

  // `first`: the object's first key, which opens it.
  void key(std::string_view name, bool first = false) {
    out_ += first ? "{\"" : ",\"";
    out_ += name;
    out_ += "\":";
  }
  void number(std::int64_t n) { append_decimal(out_, n); }
  void moment(const std::optional<Instant>& t) {
    if (t) number(to_millis(*t)); else out_ += "null";
  }
  void text(const std::string& s) { append_json_string(out_, s); }
  void value(const Json& j) { append_json(out_, j); }

  // An object keyed by numbers, as JSON keys them: by their text ("11" before "4"); of the
  // entries `include` holds for.
  template <typename Map, typename F, typename Include = bool (*)(const typename Map::mapped_type&)>
  void by_number(const Map& entries, F&& write,
                 Include include = [](const typename Map::mapped_type&) { return true; }) {
    using T = typename Map::mapped_type;
    std::vector<std::pair<std::string, const T*>> sorted;
    sorted.reserve(entries.size());
    for (const auto& [n, entry] : entries) {
      if (include(entry)) sorted.emplace_back(std::to_string(n), &entry);
    }
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    out_ += '{';
    for (std::size_t n = 0; n < sorted.size(); ++n) {
      out_ += n == 0 ? "\"" : ",\"";
      out_ += sorted[n].first;
      out_ += "\":";
      write(*sorted[n].second);
    }
    out_ += '}';
  }

  template <typename T, typename F>
  void by_name(const std::map<std::string, T>& entries, F&& write) {
    out_ += '{';
    bool first = true;
    for (const auto& [name, entry] : entries) {
      if (!first) out_ += ',';
      first = false;
      text(name);
      out_ += ':';
      write(entry);
    }
    out_ += '}';
  }

  template <typename T, typename F>
  void list(const std::vector<T>& entries, F&& write) {
    out_ += '[';
    for (std::size_t n = 0; n < entries.size(); ++n) {
      if (n > 0) out_ += ',';
      write(entries[n]);
    }
    out_ += ']';
  }

  void frames(const std::vector<Frame>& frames) {
    list(frames, [this](const Frame& f) {
      key("fork", true);
      number(f.fork);
      key("vars");
      value(f.vars);
      out_ += '}';
    });
  }
  void received(const std::map<std::string, Instant>& received) {
    by_name(received, [this](Instant at) { number(to_millis(at)); });
  }

  std::string& out_;
};

}  // namespace

std::string state_text(const Instance& i) {
  // Written in the order nlohmann::json sorts an object's keys, so the text is the same as
  // to_json(i).dump() (but for the outputs the task rows hold), without building that value
  // first: the store writes a case's state at every step.
  std::string out;
  out.reserve(2048);
  StateWriter w(out);
  w.key("data", true);
  w.value(i.data);
  w.key("end_reason");
  w.text(i.end_reason);
  w.key("ended");
  w.moment(i.ended);
  w.key("forks");
  w.by_number(i.forks, [&](const Fork& f) {
    w.key("arrived", true);
    w.number(f.arrived);
    w.key("expected");
    w.number(f.expected);
    out += '}';
  });
  w.key("hash");
  w.text(i.hash);
  w.key("id");
  w.number(i.id);
  w.key("level");
  w.number(i.level);
  w.key("named_timers");
  w.by_name(i.named_timers, [&](TimerId id) { w.number(id); });
  w.key("next");
  out += '[';
  w.number(i.next_token);
  out += ',';
  w.number(i.next_fork);
  out += ',';
  w.number(i.next_scope);
  out += ']';
  // The outputs a task's row holds by that task; the others (nearly always none) whole.
  using Given = std::shared_ptr<const GivenOutputs>;
  w.key("output_tasks");
  w.by_number(i.outputs, [&](const Given& given) { w.number(given->task); },
              [](const Given& given) { return given->task != 0; });
  w.key("outputs");
  w.by_number(i.outputs, [&](const Given& given) {
    if (given->text.empty()) w.value(given->value); else out += given->text;
  }, [](const Given& given) { return given->task == 0; });
  w.key("parent_case");
  w.number(i.parent_case);
  w.key("parent_token");
  w.number(i.parent_token);
  w.key("process");
  w.text(i.process);
  w.key("reached");
  w.by_number(i.reached, [&](Instant at) { w.number(to_millis(at)); });
  w.key("scopes");
  w.by_number(i.scopes, [&](const ScopeInstance& scope) {
    const bool frames = !scope.frames.empty();
    if (frames) {
      w.key("frames", true);
      w.frames(scope.frames);
    }
    w.key("parent", !frames);
    w.number(scope.parent);
    if (!scope.received.empty()) {
      w.key("received");
      w.received(scope.received);
    }
    w.key("scope");
    w.number(scope.scope);
    out += '}';
  });
  w.key("stage_ends");
  w.list(i.stage_ends, [&](const StageEnd& e) {
    w.key("at", true);
    w.number(to_millis(e.at));
    w.key("stage");
    w.text(e.stage);
    w.key("term");
    w.text(e.term);
    out += '}';
  });
  w.key("started");
  w.number(to_millis(i.started));
  w.key("status");
  w.text(to_string(i.status));
  w.key("tokens");
  w.list(i.tokens, [&](const Token& t) {
    w.key("child", true);
    w.number(t.child);
    w.key("frames");
    w.frames(t.frames);
    w.key("id");
    w.number(t.id);
    w.key("node");
    w.number(t.node);
    if (!t.received.empty()) {
      w.key("received");
      w.received(t.received);
    }
    w.key("scopes");
    w.list(t.scopes, [&](int scope) { w.number(scope); });
    w.key("state");
    w.text(to_string(t.state));
    w.key("task");
    w.number(t.task);
    w.key("timer");
    w.number(t.timer);
    w.key("waiting_for");
    w.text(t.waiting_for);
    out += '}';
  });
  out += '}';
  return out;
}

Instance instance_from_json(const Json& j) {
  Instance i;
  i.id = j.at("id");
  i.process = j.at("process");
  i.hash = j.at("hash");
  i.status = enum_from<CaseStatus>(j.at("status"), {CaseStatus::kRunning, CaseStatus::kCompleted, CaseStatus::kTerminated});
  i.level = j.at("level");
  i.started = from_millis(j.at("started"));
  i.ended = opt_instant_from(j.at("ended"));
  i.end_reason = j.at("end_reason");
  i.parent_case = j.at("parent_case");
  i.parent_token = j.at("parent_token");
  i.data = j.at("data");
  for (const auto& [k, v] : j.at("reached").items()) i.reached[std::stoi(k)] = from_millis(v.get<std::int64_t>());
  for (const auto& [k, v] : j.at("outputs").items()) {
    i.outputs[std::stoi(k)] = std::make_shared<const GivenOutputs>(GivenOutputs{v, json_text(v)});
  }
  // Outputs a task's row holds (schema 7): named here by that task, the value is the store's to
  // read (Store::running_cases); until then, none.
  if (j.contains("output_tasks")) {
    for (const auto& [k, v] : j.at("output_tasks").items()) {
      i.outputs[std::stoi(k)] = std::make_shared<const GivenOutputs>(GivenOutputs{Json(), {}, v.get<TaskId>()});
    }
  }
  i.named_timers = j.at("named_timers").get<std::map<std::string, TimerId>>();
  for (const auto& t : j.at("tokens")) {
    Token token;
    token.id = t.at("id");
    token.node = t.at("node");
    token.state = enum_from<TokenState>(t.at("state"), {TokenState::kReady, TokenState::kTask, TokenState::kWaitTimer,
                                                         TokenState::kWaitEvent, TokenState::kGuard, TokenState::kCall});
    token.frames = frames_from(t.at("frames"));
    if (t.contains("received")) token.received = received_from(t.at("received"));
    token.scopes = t.at("scopes").get<std::vector<int>>();
    token.task = t.at("task");
    token.timer = t.at("timer");
    token.waiting_for = t.at("waiting_for");
    token.child = t.at("child");
    i.tokens.push_back(std::move(token));
  }
  for (const auto& [k, v] : j.at("forks").items()) i.forks[std::stoi(k)] = Fork{v.at("expected"), v.at("arrived")};
  i.scopes.clear();
  for (const auto& [k, v] : j.at("scopes").items()) {
    ScopeInstance scope{v.at("scope"), v.at("parent"), {}, {}};
    if (v.contains("frames")) scope.frames = frames_from(v.at("frames"));
    if (v.contains("received")) scope.received = received_from(v.at("received"));
    i.scopes[std::stoi(k)] = std::move(scope);
  }
  // Cases stored before bound stages existed have none.
  if (j.contains("stage_ends")) {
    for (const auto& e : j.at("stage_ends")) {
      i.stage_ends.push_back(StageEnd{e.at("stage"), e.at("term"), from_millis(e.at("at").get<std::int64_t>())});
    }
  }
  const auto& next = j.at("next");
  i.next_token = next.at(0);
  i.next_fork = next.at(1);
  i.next_scope = next.at(2);
  return i;
}

Json whole_json(const Instance& instance) {
  Json tasks = Json::array(), timers = Json::array();
  for (const auto& [id, t] : instance.tasks) tasks.push_back(to_json(t));
  for (const auto& [id, t] : instance.timers) timers.push_back(to_json(t));
  return Json{{"state", to_json(instance)}, {"tasks", std::move(tasks)}, {"timers", std::move(timers)}};
}

TaskStatus task_status_from(std::string_view name) {
  return strict_enum_from(name, {TaskStatus::kOpen, TaskStatus::kCompleted, TaskStatus::kCancelled}, "task status");
}

TimerKind timer_kind_from(std::string_view name) {
  return strict_enum_from(name, {TimerKind::kNamed, TimerKind::kRung, TimerKind::kWait}, "timer kind");
}

TimerStatus timer_status_from(std::string_view name) {
  return strict_enum_from(name, {TimerStatus::kPending, TimerStatus::kFired, TimerStatus::kCancelled, TimerStatus::kFailed},
                          "timer status");
}

}  // namespace termijn::runtime
