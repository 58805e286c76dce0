// The language is the process's (engine/base/language.h): a test that speaks Dutch sets it for
// its own length and puts English back, whatever the test does, so that the tests after it get
// the English their expectations are written in.
#pragma once

#include "engine/base/language.h"

namespace termijn::testing {

class InLanguage {
 public:
  explicit InLanguage(Language language) { set_language(language); }
  ~InLanguage() { set_language(Language::kEnglish); }
  InLanguage(const InLanguage&) = delete;
  InLanguage& operator=(const InLanguage&) = delete;
};

}  // namespace termijn::testing
