// The runtime in place (Runtime::set_in_place): a command changes the live case itself and
// keeps an undo log of what it changed, instead of working on a copy of the case; a refused
// command is undone from the log, and apply() re-indexes only what the log names. On copies
// (the default; the runtime tests compare the two), working() copies the case into the
// command's Changes.
#include <optional>
#include <string>
#include <utility>

#include "engine/runtime/runtime.h"

namespace termijn::runtime {

namespace {

// The parts of a case the undo log keeps piece by piece. Set aside while the rest (tokens,
// scopes, ...) is copied: moved there and back, which allocates nothing (the data is null
// meanwhile, not an empty object). The process's name and hash are copied with the rest: into
// the room of a spare log's, that is cheaper than setting them aside and back.
struct Bulk {
  decltype(Instance::tasks) tasks;
  decltype(Instance::timers) timers;
  Json data;
  decltype(Instance::reached) reached;
  decltype(Instance::outputs) outputs;
};

template <typename A, typename B>
void swap_bulk(A& a, B& b) {
  std::swap(a.tasks, b.tasks);
  std::swap(a.timers, b.timers);
  std::swap(a.data, b.data);
  std::swap(a.reached, b.reached);
  std::swap(a.outputs, b.outputs);
}

// The case without its bulk, copied into `into`: assigned, so that the room `into` has (its
// tokens, its maps' entries) is reused rather than allocated again.
void copy_small(Instance& c, Instance& into) {
  Bulk aside;
  swap_bulk(c, aside);
  try {
    into = c;
  } catch (...) {
    swap_bulk(c, aside);  // the case whole again, whatever the copy ran out of
    throw;
  }
  swap_bulk(c, aside);
}

template <typename Map, typename Log>
void put_back(Map& live, Log& log) {
  for (auto& [key, was] : log) {
    if (was) {
      live.insert_or_assign(key, std::move(*was));
    } else {
      live.erase(key);
    }
  }
}

}  // namespace

Instance& Runtime::working(CaseId id, Changes& changes) {
  if (in_place_) {
    Instance& live = cases_.at(id);
    if (changes.undo.count(id) == 0) {
      // The log is complete before it is added: a copy that fails leaves no log of another case.
      auto begin = [&](CaseUndo& u) {
        u.complete = undo_log_;
        if (undo_log_) copy_small(live, u.small);
      };
      if (spare_.empty()) {
        CaseUndo fresh;
        begin(fresh);
        changes.undo.emplace(id, std::move(fresh));
      } else {
        // A log an earlier command used, with its room: emptied, the small parts assigned into it.
        auto node = std::move(spare_.back());
        spare_.pop_back();
        node.key() = id;
        node.mapped().clear();
        begin(node.mapped());
        changes.undo.insert(std::move(node));
      }
    }
    return live;
  }
  auto it = changes.cases.find(id);
  if (it != changes.cases.end()) return it->second;
  return changes.cases[id] = cases_.at(id);
}

Instance& Runtime::create(Instance instance, Changes& changes) {
  CaseId id = instance.id;
  if (!in_place_) return changes.cases[id] = std::move(instance);
  changes.undo[id].created = true;
  return cases_[id] = std::move(instance);
}

CaseUndo* Runtime::undo_log(CaseId id, Changes& changes) {
  if (!in_place_) return nullptr;
  CaseUndo& u = changes.undo.at(id);
  return u.created ? nullptr : &u;  // a case the command started goes whole
}

CaseUndo* Runtime::full_undo_log(CaseId id, Changes& changes) {
  CaseUndo* u = undo_log(id, changes);
  return u != nullptr && u->complete ? u : nullptr;
}

void Runtime::keep_task(CaseId id, TaskId task, Changes& changes) {
  CaseUndo* u = undo_log(id, changes);
  if (u == nullptr) return;
  const auto& tasks = cases_.at(id).tasks;
  u->tasks_open.keep(tasks, task, [](const Task&) { return std::monostate{}; });
  if (u->complete) u->tasks.keep(tasks, task);
}

void Runtime::keep_timer(CaseId id, TimerId timer, Changes& changes) {
  CaseUndo* u = undo_log(id, changes);
  if (u == nullptr) return;
  const auto& timers = cases_.at(id).timers;
  u->timer_places.keep(timers, timer, [](const Timer& t) { return TimerPlace{t.status, t.due.at}; });
  if (u->complete) u->timers.keep(timers, timer);
}

void Runtime::keep_reached(CaseId id, model::NodeId node, Changes& changes) {
  if (CaseUndo* u = full_undo_log(id, changes)) u->reached.keep(cases_.at(id).reached, node);
}

void Runtime::keep_output(CaseId id, model::NodeId node, Changes& changes) {
  if (CaseUndo* u = full_undo_log(id, changes)) u->outputs.keep(cases_.at(id).outputs, node);
}

void Runtime::keep_data(CaseId id, Changes& changes) {
  CaseUndo* u = full_undo_log(id, changes);
  if (u != nullptr && !u->data) u->data = cases_.at(id).data;
}

void Runtime::undo(Changes& changes) {
  for (auto& [id, u] : changes.undo) {
    if (u.created) {
      cases_.erase(id);
      continue;
    }
    if (!u.complete) {
      spoiled_ = true;  // changed half way, and nothing kept to put back
      continue;
    }
    Instance& c = cases_.at(id);
    put_back(c.tasks, u.tasks);
    put_back(c.timers, u.timers);
    put_back(c.reached, u.reached);
    put_back(c.outputs, u.outputs);
    if (u.data) c.data = std::move(*u.data);
    swap_bulk(c, u.small);
    c = std::move(u.small);
  }
  changes.undo.clear();
}

// In place, the live cases are already as the command left them: only the tasks and timers in the
// undo log (every one, for a case the command started) change their place in the indexes.
void Runtime::apply_in_place(Changes& changes) {
  for (auto& [id, u] : changes.undo) {
    auto live = cases_.find(id);
    Instance& c = live->second;
    const bool running = c.status == CaseStatus::kRunning;
    auto index_timer = [&](TimerId timer, const TimerPlace* was) {
      auto now = c.timers.find(timer);
      if (running && was != nullptr && now != c.timers.end() && was->status == now->second.status &&
          was->due == now->second.due.at) {
        return;  // kept by the log, and indexed as it was
      }
      if (was != nullptr && was->status == TimerStatus::kPending) {
        due_queue_.erase(timer);
        timer_index_.erase(timer);
      }
      if (was != nullptr && was->status == TimerStatus::kFailed) incidents_.erase(timer);
      if (!running || now == c.timers.end()) return;
      if (now->second.status == TimerStatus::kPending) {
        due_queue_.set(timer, now->second.due.at);
        timer_index_.set(timer, id);
      }
      if (now->second.status == TimerStatus::kFailed) incidents_[timer] = id;
    };
    auto index_task = [&](TaskId task, bool was_open) {
      const bool open = running && c.tasks.count(task) != 0;
      if (open == was_open) return;  // indexed as it was
      if (open) {
        task_index_.set(task, id);
      } else {
        task_index_.erase(task);
      }
    };
    if (u.created) {
      for (const auto& [timer, _] : c.timers) index_timer(timer, nullptr);
      for (const auto& [task, _] : c.tasks) index_task(task, false);
    } else {
      for (const auto& [timer, was] : u.timer_places) index_timer(timer, was ? &*was : nullptr);
      for (const auto& [task, was] : u.tasks_open) index_task(task, was.has_value());
    }
    if (running) continue;
    // What an ended case still holds (a task handed on stays open) leaves the indexes with it.
    for (const auto& [task, _] : c.tasks) task_index_.erase(task);
    for (const auto& [timer, t] : c.timers) {
      due_queue_.erase(timer);
      timer_index_.erase(timer);
      incidents_.erase(timer);
    }
    changes.cases[id] = std::move(c);
    cases_.erase(live);
  }
  while (!changes.undo.empty() && spare_.size() < kSpares) spare_.push_back(changes.undo.extract(changes.undo.begin()));
  changes.undo.clear();
}

}  // namespace termijn::runtime
