// A map for the handful of entries a simulated case gathers (its milestones, stages, tasks done):
// a vector searched in order, which beats a tree's node per entry at that size. Entries stay in
// the order they were added.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

namespace termijn::simulation::internal {

struct Nothing {};

template <typename Key, typename Value = Nothing>
class Few {
 public:
  using Entry = std::pair<Key, Value>;

  template <typename K>
  const Value* find(const K& key) const {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first == key; });
    return it == entries_.end() ? nullptr : &it->second;
  }
  template <typename K>
  Value* find(const K& key) {
    return const_cast<Value*>(std::as_const(*this).find(key));
  }
  // The entry of `key`, added with `value` when there is none (an existing one is kept).
  Value& add(const Key& key, Value value = {}) {
    if (Value* v = find(key)) return *v;
    return entries_.emplace_back(key, std::move(value)).second;
  }

  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace termijn::simulation::internal
