// IdIndex must hold exactly what a std::unordered_map would, whatever order entries come and go
// in: deletion shifts entries back, and one shifted wrongly is found no more.
#include "engine/base/id_index.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <unordered_map>

namespace termijn {
namespace {

using Id = IdIndex::Id;

void expect_same(const IdIndex& index, const std::unordered_map<Id, Id>& model, Id from, Id to) {
  EXPECT_EQ(index.size(), model.size());
  for (Id key = from; key < to; ++key) {
    auto it = model.find(key);
    const Id* found = index.find(key);
    if (it == model.end()) {
      EXPECT_EQ(found, nullptr) << "key " << key;
    } else {
      ASSERT_NE(found, nullptr) << "key " << key;
      EXPECT_EQ(*found, it->second) << "key " << key;
    }
  }
}

TEST(IdIndex, MatchesAMapUnderRandomSetsAndErases) {
  // Keys from a small range collide and wrap around the array's end; ids one after another (as
  // the runtime hands them out) come and go in runs.
  for (Id range : {40, 1000, 100000}) {
    std::mt19937_64 rng(static_cast<unsigned>(range));
    IdIndex index;
    std::unordered_map<Id, Id> model;
    for (int i = 0; i < 20000; ++i) {
      Id key = static_cast<Id>(rng() % static_cast<std::uint64_t>(range));
      switch (rng() % 3) {
        case 0:
        case 1: {
          Id value = static_cast<Id>(rng() % 1000);
          index.set(key, value);
          model[key] = value;
          break;
        }
        default: EXPECT_EQ(index.erase(key), model.erase(key) == 1) << "key " << key; break;
      }
      if (i % 997 == 0) expect_same(index, model, 0, range);
    }
    expect_same(index, model, 0, range);
    for (Id key = 0; key < range; ++key) index.erase(key);
    EXPECT_EQ(index.size(), 0u);
    expect_same(index, {}, 0, range);
  }
}

TEST(IdIndex, KeepsEveryIdEvenTheOneThatMarksAFreeSlot) {
  IdIndex index;
  constexpr Id kLowest = std::numeric_limits<Id>::min(), kHighest = std::numeric_limits<Id>::max();
  EXPECT_EQ(index.find(kLowest), nullptr);
  EXPECT_FALSE(index.erase(kLowest));
  for (Id key : {kLowest, kHighest, Id{0}, Id{-1}}) index.set(key, key / 2);
  EXPECT_EQ(index.size(), 4u);
  for (Id key : {kLowest, kHighest, Id{0}, Id{-1}}) {
    ASSERT_NE(index.find(key), nullptr);
    EXPECT_EQ(*index.find(key), key / 2);
  }
  EXPECT_TRUE(index.erase(kLowest));
  EXPECT_EQ(index.find(kLowest), nullptr);
  EXPECT_EQ(index.size(), 3u);
  index.clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.find(kHighest), nullptr);
}

}  // namespace
}  // namespace termijn
