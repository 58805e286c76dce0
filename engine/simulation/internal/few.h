// A map for the handful of entries a simulated case gathers (its milestones, stages, tasks done):
// a vector searched in order, which beats a tree's node per entry at that size. Entries stay in
// the order they were added.
#pragma once

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace termijn::simulation::internal {

struct Nothing {};

// Keys compared: names that are views of a definition's (AuditFact::node) are mostly the very
// same text, found by its address without comparing the characters.
template <typename A, typename B>
bool same_key(const A& a, const B& b) {
  return a == b;
}
inline bool same_key(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.data() == b.data() || a == b);
}

template <typename Key, typename Value = Nothing>
class Few {
 public:
  using Entry = std::pair<Key, Value>;

  template <typename K>
  const Value* find(const K& key) const {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return same_key(e.first, key); });
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
