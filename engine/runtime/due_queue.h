// The pending timers by when they fall due: earliest first, and of timers due at the same moment
// the lower id (the one made first) first. A timer is added when it is set and taken out when it
// fires or is cancelled, most of them (an escalation rung of a task done in time) long before
// they fall due; the runtime does both at nearly every step of every case.
//
// A heap in one array, four children a node (shallower than two, and a node's children share a
// cache line). A timer taken out stays in the heap, marked stale, until it comes to the top and
// goes, or until stale entries outnumber the live ones and the heap is made again of the live:
// taking one out, wherever it stands, is then one change to an index and no move in the heap.
// Each entry carries the number of the set() that made it, and the index names each queued
// timer's latest: an entry whose number it does not name is stale (a timer set again after it
// went leaves its first entry stale, not a second live one). A tree of nodes costs an allocation
// and a chain of cache misses for every timer set and every timer taken out; keeping each
// entry's place in the heap up to date costs an index change for every entry a change moves.
// The heap holds at most 1,024 entries or twice the timers queued, 24 bytes each, and keeps the
// room it grew to until clear().
#pragma once

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "engine/base/id_index.h"
#include "engine/time/instant.h"

namespace termijn::runtime {

class DueQueue {
 public:
  using TimerId = std::int64_t;

  // Adds timer `id` due `at`, or moves it there if it is queued already.
  void set(TimerId id, Instant at) {
    // Room first: out of memory there or in the index, the queue is as it was; after them,
    // nothing can fail half way (an index naming an entry the heap does not hold).
    if (heap_.size() == heap_.capacity()) heap_.reserve(2 * heap_.size() + 16);
    latest_.set(id, sets_ + 1);
    ++sets_;
    heap_.push_back(Entry{at, id, sets_});
    up(heap_.size() - 1);
    tidy();
  }

  // Takes timer `id` out; whether it was queued.
  bool erase(TimerId id) {
    if (!latest_.erase(id)) return false;
    tidy();
    return true;
  }

  // The earliest (due, id), if any.
  std::optional<std::pair<Instant, TimerId>> first() const {
    if (heap_.empty()) return std::nullopt;  // tidy(): the top is live
    return std::make_pair(heap_.front().at, heap_.front().id);
  }

  // The timers due at or before `now`, earliest first, at most `limit`: the heap walked from its
  // top, always to the earliest entry not yet taken whose parent was.
  std::vector<std::pair<Instant, TimerId>> due(Instant now, std::size_t limit) const {
    std::vector<std::pair<Instant, TimerId>> out;
    boost::container::small_vector<std::size_t, 32> frontier;  // a few more than taken
    auto later = [&](std::size_t a, std::size_t b) { return heap_[b] < heap_[a]; };
    auto reach = [&](std::size_t i) {
      if (i < heap_.size() && heap_[i].at <= now) {
        frontier.push_back(i);
        std::push_heap(frontier.begin(), frontier.end(), later);
      }
    };
    reach(0);
    while (!frontier.empty() && out.size() < limit) {
      std::pop_heap(frontier.begin(), frontier.end(), later);
      std::size_t i = frontier.back();
      frontier.pop_back();
      if (live(heap_[i])) out.emplace_back(heap_[i].at, heap_[i].id);
      for (std::size_t c = first_child(i); c < first_child(i) + kArity; ++c) reach(c);
    }
    return out;
  }

  // How many timers are due at or before `now`: the part of the heap above `now`, and no more.
  std::size_t count_due(Instant now) const {
    std::size_t count = 0;
    boost::container::small_vector<std::size_t, 32> stack;
    if (!heap_.empty()) stack.push_back(0);
    while (!stack.empty()) {
      std::size_t i = stack.back();
      stack.pop_back();
      if (heap_[i].at > now) continue;  // and so is every entry below it
      if (live(heap_[i])) ++count;
      for (std::size_t c = first_child(i); c < first_child(i) + kArity && c < heap_.size(); ++c) stack.push_back(c);
    }
    return count;
  }

  std::size_t size() const { return latest_.size(); }
  bool empty() const { return latest_.size() == 0; }
  // Empty, and its room given back (the heap keeps what it grew to until then).
  void clear() {
    heap_ = {};
    latest_.clear();
  }

 private:
  static constexpr std::size_t kArity = 4;
  // Stale entries are let pile up to this many before the live outnumbered by them are gathered.
  static constexpr std::size_t kStaleRoom = 1024;
  struct Entry {
    Instant at;
    TimerId id;
    std::int64_t set;  // the set() that made it
    bool operator<(const Entry& o) const { return at < o.at || (at == o.at && id < o.id); }
  };
  static std::size_t parent(std::size_t i) { return (i - 1) / kArity; }
  static std::size_t first_child(std::size_t i) { return i * kArity + 1; }

  bool live(const Entry& e) const {
    const IdIndex::Id* latest = latest_.find(e.id);
    return latest != nullptr && *latest == e.set;
  }
  // The top live again (stale entries above every live one go), and the heap no more than about
  // twice as long as the timers queued.
  void tidy() {
    if (heap_.size() > kStaleRoom && heap_.size() > 2 * latest_.size()) {
      std::erase_if(heap_, [&](const Entry& e) { return !live(e); });
      // Made a heap again from the last parent up (Floyd's way).
      for (std::size_t i = heap_.size() > 1 ? parent(heap_.size() - 1) + 1 : 0; i-- > 0;) down(i);
    }
    while (!heap_.empty() && !live(heap_.front())) pop_front();
  }
  // The top taken out: the hole it leaves goes down to a leaf, always to the earliest child,
  // and the last entry fills it from there (it seldom rises far: it was a leaf already), which
  // compares less than moving the last entry down from the top.
  void pop_front() {
    Entry last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return;
    std::size_t hole = 0;
    while (first_child(hole) < n) {
      std::size_t earliest = earliest_child(hole);
      heap_[hole] = heap_[earliest];
      hole = earliest;
    }
    heap_[hole] = last;
    up(hole);
  }
  // The earliest of the children of `i`, which has at least one.
  std::size_t earliest_child(std::size_t i) const {
    const std::size_t c = first_child(i), end = std::min(c + kArity, heap_.size());
    std::size_t earliest = c;
    for (std::size_t k = c + 1; k < end; ++k) {
      if (heap_[k] < heap_[earliest]) earliest = k;
    }
    return earliest;
  }
  // The entry at `i` moved towards the top while it is earlier than its parent.
  void up(std::size_t i) {
    Entry e = heap_[i];
    for (; i > 0 && e < heap_[parent(i)]; i = parent(i)) heap_[i] = heap_[parent(i)];
    heap_[i] = e;
  }
  // The entry at `i` moved towards the leaves while a child is earlier.
  void down(std::size_t i) {
    Entry e = heap_[i];
    const std::size_t n = heap_.size();
    while (first_child(i) < n) {
      std::size_t earliest = earliest_child(i);
      if (!(heap_[earliest] < e)) break;
      heap_[i] = heap_[earliest];
      i = earliest;
    }
    heap_[i] = e;
  }

  std::vector<Entry> heap_;
  IdIndex latest_;         // each queued timer's id -> the set() that made its live entry
  std::int64_t sets_ = 0;  // set() calls so far
};

}  // namespace termijn::runtime
