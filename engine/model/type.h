// The types of case data, task outputs and expressions.
#pragma once

#include <string>
#include <vector>

namespace termijn::model {

struct Type {
  enum class Kind {
    kError,  // already reported; silences follow-up complaints
    kBool, kInt, kText, kDateTime,
    kDays, kWorkingDays, kHours,  // the three kinds of duration, deliberately distinct
    kPerson, kList, kEnum,
  };
  Kind kind = Kind::kError;
  Kind element = Kind::kError;       // kList: the element kind (person or text)
  std::vector<std::string> members;  // kEnum: the values, in declared order

  static Type of(Kind kind) { return Type{kind, Kind::kError, {}}; }
  static Type list_of(Kind element) { return Type{Kind::kList, element, {}}; }
  static Type enumeration(std::vector<std::string> members) {
    return Type{Kind::kEnum, Kind::kError, std::move(members)};
  }

  bool is_error() const { return kind == Kind::kError; }
  bool is_duration() const {
    return kind == Kind::kDays || kind == Kind::kWorkingDays || kind == Kind::kHours;
  }
  friend bool operator==(const Type&, const Type&) = default;
};

// As a coordinator writes it: "bool", "list<person>", "one of (opleggen, niet_opleggen)".
std::string to_string(const Type& type);

}  // namespace termijn::model
