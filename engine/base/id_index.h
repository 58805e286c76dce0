// A map from one id to another (a task's or a timer's to its case's) in one flat array: open
// addressing with linear probing, and deletion by shifting the entries after it back (no
// tombstones), so that a map in which entries come and go all the time stays as short to search
// as one that only grows. The runtime looks up and changes these indexes at every step of every
// case; a node-based map spends that time on an allocation per entry and a cache miss per lookup.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace termijn {

class IdIndex {
 public:
  using Id = std::int64_t;

  const Id* find(Id key) const {
    if (key == kEmpty) return empty_key_ ? &*empty_key_ : nullptr;
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(key);; i = (i + 1) & mask()) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

  // Adds `key`, or gives it `value` if it is there.
  void set(Id key, Id value) {
    if (key == kEmpty) {
      empty_key_ = value;
      return;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();  // at most 3/4 full: probes stay short
    std::size_t i = home(key);
    for (; slots_[i].key != kEmpty; i = (i + 1) & mask()) {
      if (slots_[i].key == key) {
        slots_[i].value = value;
        return;
      }
    }
    slots_[i] = Slot{key, value};
    ++size_;
  }

  // Whether `key` was there.
  bool erase(Id key) {
    if (key == kEmpty) {
      bool was = empty_key_.has_value();
      empty_key_.reset();
      return was;
    }
    if (slots_.empty()) return false;
    std::size_t hole = home(key);
    for (; slots_[hole].key != key; hole = (hole + 1) & mask()) {
      if (slots_[hole].key == kEmpty) return false;
    }
    // Each later entry of the run that would be found from the hole moves into it: every entry
    // stays reachable from its home without crossing an empty slot.
    for (std::size_t next = (hole + 1) & mask(); slots_[next].key != kEmpty; next = (next + 1) & mask()) {
      std::size_t from_home = (next - home(slots_[next].key)) & mask();
      std::size_t to_hole = (next - hole) & mask();
      if (from_home >= to_hole) {
        slots_[hole] = slots_[next];
        hole = next;
      }
    }
    slots_[hole].key = kEmpty;
    --size_;
    return true;
  }

  void clear() {
    slots_.clear();
    size_ = 0;
    empty_key_.reset();
  }

  std::size_t size() const { return size_ + (empty_key_ ? 1 : 0); }

 private:
  // The key marking a free slot. An id with this value (only a damaged row would hold one) is
  // kept beside the array.
  static constexpr Id kEmpty = std::numeric_limits<Id>::min();
  struct Slot {
    Id key = kEmpty;
    Id value = 0;
  };

  std::size_t mask() const { return slots_.size() - 1; }
  // Fibonacci hashing: ids are handed out one after another, and multiplying spreads them over
  // the array's high bits, which the shift keeps.
  std::size_t home(Id key) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  // The new array is made before the old one goes: out of memory, the index is as it was.
  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 16 : slots_.size() * 2, Slot{});
    std::swap(slots_, bigger);
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(slots_.size()));
    size_ = 0;
    for (const Slot& s : bigger) {
      if (s.key != kEmpty) set(s.key, s.value);  // never grows again: half full at most
    }
  }

  std::vector<Slot> slots_;  // a power of two long, or empty
  std::size_t size_ = 0;     // entries in slots_
  unsigned shift_ = 64;
  std::optional<Id> empty_key_;
};

}  // namespace termijn
