#include "engine/frontend/syntax_message.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/duration.h"
#include "engine/base/language.h"

namespace termijn {

// ANTLR speaks of tokens; say it in words, and drop its list of every acceptable token when
// that list helps nobody.
std::string tidy_syntax_message(std::string message) {
  auto replace_all = [&message](const std::string& from, const std::string& to) {
    for (std::size_t at = message.find(from); at != std::string::npos; at = message.find(from, at + to.size())) {
      message.replace(at, from.size(), to);
    }
  };
  bool at_end = message.find("'<EOF>'") != std::string::npos;
  bool wants_brace = message.find("'}'") != std::string::npos;
  replace_all("extraneous input", tr("unexpected"));
  replace_all("mismatched input", tr("unexpected"));
  replace_all("no viable alternative at input", tr("cannot make sense of"));
  replace_all("missing ID at", tr("a name is missing before"));
  replace_all("'<EOF>'", tr("end of file"));
  replace_all("<EOF>", tr("end of file"));
  if (auto set = message.find(" expecting {"); set != std::string::npos && message.back() == '}') {
    message = message.substr(0, set) + tr(", expected one of ") +
              message.substr(set + 12, message.size() - set - 13);
  }
  replace_all(" expecting ", tr(", expected "));
  replace_all("ID", tr("a name"));
  replace_all("INT", tr("a number"));
  replace_all("STRING", tr("a quoted text"));
  auto list = message.find(tr(", expected one of "));
  if (list != std::string::npos && std::count(message.begin() + static_cast<std::ptrdiff_t>(list), message.end(), ',') > 5) {
    message = message.substr(0, list);
  }
  if (at_end && wants_brace) message += tr(" (is a '}' missing?)");
  return message;
}

std::string unknown_unit_message(std::int64_t amount, const std::string& unit, bool working) {
  // Coordinators think in Dutch; the language counts in English words.
  static const std::map<std::string, std::string> kDutch = {
      {"dag", "days"},     {"dagen", "days"},     {"uur", "hours"},      {"uren", "hours"},
      {"week", "weeks"},   {"weken", "weeks"},    {"maand", "months"},   {"maanden", "months"},
      {"jaar", "years"},   {"jaren", "years"},    {"minuut", "minutes"}, {"minuten", "minutes"},
      {"werkdag", "working days"}, {"werkdagen", "working days"}};
  if (auto dutch = kDutch.find(unit); dutch != kDutch.end()) {
    return tr("unknown unit of time '{}'{}", unit, tr(" (did you mean '{}'?)", dutch->second));
  }
  if (working) return tr("working time is counted in days: write '{} working days'", amount);
  std::vector<std::string> words;
  for (auto* w = unit_words(); *w != nullptr; ++w) words.emplace_back(*w);
  return tr("unknown unit of time '{}'{}", unit, did_you_mean(unit, words));
}

}  // namespace termijn
