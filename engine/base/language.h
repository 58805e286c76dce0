// Dutch for the people who use termijn, English otherwise. Messages are written in English in the
// code and marked with tr() (trn() when they count); xgettext extracts them into po/termijn.pot,
// po/nl.po translates them, and msgfmt compiles the catalog at build time into the binary, so no
// locale has to be installed for a coordinator to read Dutch (docs/translating.md).
//
// The language is the process's, chosen once at start as gettext's setlocale would (the CLI reads
// the environment; the language server takes the editor's; a host calls set_language). A message
// is translated when it is made: a diagnostic, an explanation or a line of output carries the
// words of the language that was in force.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

namespace termijn {

enum class Language { kEnglish, kDutch };
// "en" or "nl".
const char* to_string(Language language);

// "nl", "nl_NL.UTF-8", "nl-BE", "nl_NL@euro" are Dutch, "en..." and "C"/"POSIX" English; nullopt
// for a language termijn does not speak.
std::optional<Language> language_from_tag(std::string_view tag);
// As gettext chooses: the locale from LC_ALL, LC_MESSAGES or LANG (the first that is set); in the
// "C" locale English; otherwise the first language of LANGUAGE (a colon-separated list) that
// termijn speaks, or else the locale's.
Language language_from_environment();

void set_language(Language language);
Language language();

class MessageCatalog;
// The catalog of a language (nullptr for English, which is the code's own): the web page asks
// the server for it to speak the browser's language.
const MessageCatalog* catalog_of(Language language);

namespace internal {
// The text of a checked format string (fmt 9 has no basic_format_string::get).
template <typename... Args>
std::string_view text_of(fmt::format_string<Args...> format) {
  fmt::string_view view = format;
  return {view.data(), view.size()};
}
// The current language's translation of `english`, or nullptr.
const std::string* translation(std::string_view english);
// The current language's form of a counted message, or nullptr.
const std::string* plural_translation(std::string_view singular, unsigned long long n);
// Formats the translation with `args`; a translation whose placeholders do not fit the arguments
// falls back to the English, so a mistake in the catalog cannot end the program.
std::string format_translated(const std::string* translated, std::string_view english, fmt::format_args args);
}  // namespace internal

// The message in the current language (English when the catalog has no translation).
const char* tr(const char* english);

template <typename... Args>
std::string tr(fmt::format_string<Args...> english, Args&&... args) {
  std::string_view text = internal::text_of<Args...>(english);
  return internal::format_translated(internal::translation(text), text, fmt::make_format_args(args...));
}

// A message that counts: `singular` when n is 1 and `plural` otherwise (in English and Dutch alike).
template <typename... Args>
std::string trn(fmt::format_string<Args...> singular, fmt::format_string<Args...> plural, unsigned long long n,
                Args&&... args) {
  std::string_view one = internal::text_of<Args...>(singular);
  std::string_view english = n == 1 ? one : internal::text_of<Args...>(plural);
  return internal::format_translated(internal::plural_translation(one, n), english, fmt::make_format_args(args...));
}

}  // namespace termijn
