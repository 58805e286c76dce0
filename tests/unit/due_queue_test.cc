// DueQueue must give what an ordered set of (due, id) would, whatever order timers are set, moved
// and taken out in: a place in the heap indexed wrongly is a timer that never fires, or fires
// out of turn.
#include "engine/runtime/due_queue.h"

#include <gtest/gtest.h>

#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

namespace termijn::runtime {
namespace {

using Id = DueQueue::TimerId;

Instant at(std::int64_t minutes) { return from_millis(minutes * 60'000); }

struct Model {
  std::set<std::tuple<Instant, Id>> order;
  std::map<Id, Instant> due;

  void set(Id id, Instant when) {
    erase(id);
    order.emplace(when, id);
    due[id] = when;
  }
  bool erase(Id id) {
    auto it = due.find(id);
    if (it == due.end()) return false;
    order.erase(std::make_tuple(it->second, id));
    due.erase(it);
    return true;
  }
};

void expect_same(const DueQueue& queue, const Model& model, Instant now, std::size_t limit) {
  ASSERT_EQ(queue.size(), model.order.size());
  if (model.order.empty()) {
    EXPECT_FALSE(queue.first().has_value());
  } else {
    ASSERT_TRUE(queue.first().has_value());
    EXPECT_EQ(queue.first()->first, std::get<0>(*model.order.begin()));
    EXPECT_EQ(queue.first()->second, std::get<1>(*model.order.begin()));
  }
  std::vector<std::pair<Instant, Id>> want;
  for (const auto& [when, id] : model.order) {
    if (when > now || want.size() >= limit) break;
    want.emplace_back(when, id);
  }
  EXPECT_EQ(queue.due(now, limit), want);
  auto end = model.order.upper_bound(std::make_tuple(now, std::numeric_limits<Id>::max()));
  EXPECT_EQ(queue.count_due(now), static_cast<std::size_t>(std::distance(model.order.begin(), end)));
}

TEST(DueQueue, MatchesAnOrderedSetUnderRandomSetsMovesAndErases) {
  // Few distinct moments, so that many timers fall due together and the id decides; ids from a
  // small range, so that a timer is set again after it went, and moved while it is queued.
  for (std::int64_t moments : {3, 50, 100000}) {
    std::mt19937_64 rng(static_cast<unsigned>(moments));
    DueQueue queue;
    Model model;
    for (int i = 0; i < 20000; ++i) {
      Id id = static_cast<Id>(rng() % 300);
      if (rng() % 3 != 0) {
        Instant when = at(static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(moments)));
        queue.set(id, when);
        model.set(id, when);
      } else {
        EXPECT_EQ(queue.erase(id), model.erase(id)) << "timer " << id;
      }
      if (i % 101 == 0) {
        Instant now = at(static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(moments)));
        expect_same(queue, model, now, 1 + rng() % 40);
      }
    }
    expect_same(queue, model, at(moments), 1000);
    // Fired in turn, earliest first, as a driver takes them: the same order as the set's.
    while (auto next = queue.first()) {
      ASSERT_EQ(std::make_tuple(next->first, next->second), *model.order.begin());
      EXPECT_TRUE(queue.erase(next->second));
      model.erase(next->second);
    }
    EXPECT_TRUE(queue.empty());
    EXPECT_TRUE(model.order.empty());
  }
}

TEST(DueQueue, TimersDueTogetherComeLowestIdFirst) {
  DueQueue queue;
  for (Id id : {7, 3, 9, 1, 5}) queue.set(id, at(10));
  queue.set(2, at(11));
  queue.set(8, at(9));
  std::vector<std::pair<Instant, Id>> want = {{at(9), 8}, {at(10), 1}, {at(10), 3}, {at(10), 5}, {at(10), 7}};
  EXPECT_EQ(queue.due(at(10), 5), want);
  EXPECT_EQ(queue.count_due(at(10)), 6u);
  EXPECT_EQ(queue.count_due(at(8)), 0u);
  EXPECT_TRUE(queue.due(at(8), 10).empty());
  EXPECT_FALSE(queue.erase(4)) << "never set";
  queue.set(9, at(1));  // moved to the front
  EXPECT_EQ(queue.first(), std::make_pair(at(1), Id{9}));
  queue.clear();
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.first().has_value());
}

}  // namespace
}  // namespace termijn::runtime
