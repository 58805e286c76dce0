// A compiled gettext catalog (a .mo file, as msgfmt writes it) read into memory: msgid to msgstr,
// and for plural entries the forms. The bytes are checked as untrusted: every offset and length
// must lie inside them, or the catalog is refused with the reason.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"

namespace termijn {

class MessageCatalog {
 public:
  // Reads a .mo file's bytes (either byte order). Entries with a context (msgctxt) and the
  // header entry (msgid "") are skipped: termijn uses neither.
  static Result<MessageCatalog> read(std::string_view bytes);

  // The translation of `english`, or nullptr when the catalog has none (or an empty one).
  const std::string* find(std::string_view english) const;
  // The plural forms of the entry whose singular msgid is `english` (form 0 first).
  const std::vector<std::string>* plural_forms(std::string_view english) const;

  struct Entry {
    std::string english;
    std::string english_plural;      // "" for a singular entry
    std::vector<std::string> forms;  // one for a singular entry
  };
  std::size_t size() const { return singular_.size() + plural_.size(); }
  // Every entry, for the tests that check each translation against its English.
  std::vector<Entry> entries() const;

 private:
  struct Plural {
    std::string english_plural;
    std::vector<std::string> forms;
  };
  // Looked up by string_view: a tr() in Dutch finds its message without copying the English.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename T>
  using ByEnglish = std::unordered_map<std::string, T, Hash, std::equal_to<>>;
  ByEnglish<std::string> singular_;
  ByEnglish<Plural> plural_;
};

}  // namespace termijn
