// Dutch for the people who use termijn: the language chosen as gettext chooses it, the catalog
// read as untrusted bytes, every translation checked against its English, and diagnostics,
// explanations of deadlines and counted messages in both languages.
#include "engine/base/language.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <regex>

#include "engine/base/message_catalog.h"
#include "test_support.h"
#include "tests/support/in_language.h"

namespace termijn {
namespace internal {
std::string_view dutch_catalog_bytes();  // the catalog the build compiled in (language.cc)
}  // namespace internal
namespace {

using testing::InLanguage;

// The environment variables gettext reads, set for one test and restored after it.
class Environment {
 public:
  explicit Environment(const std::map<std::string, std::string>& values) {
    for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
      const char* old = std::getenv(name);
      saved_[name] = old == nullptr ? std::nullopt : std::optional<std::string>(old);
      ::unsetenv(name);
    }
    for (const auto& [name, value] : values) ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~Environment() {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST(Language, ATagNamesTheLanguageWhateverItsRegionOrEncoding) {
  for (const char* tag : {"nl", "nl_NL", "nl_NL.UTF-8", "nl-BE", "nl_NL@euro", "NL"}) {
    EXPECT_EQ(language_from_tag(tag), Language::kDutch) << tag;
  }
  for (const char* tag : {"en", "en_GB.UTF-8", "en-us", "C", "C.UTF-8", "POSIX"}) {
    EXPECT_EQ(language_from_tag(tag), Language::kEnglish) << tag;
  }
  for (const char* tag : {"de_DE.UTF-8", "fr", "", "n", "nld"}) EXPECT_EQ(language_from_tag(tag), std::nullopt) << tag;
}

TEST(Language, TheEnvironmentChoosesAsGettextDoes) {
  struct Case {
    std::map<std::string, std::string> env;
    Language expected;
  };
  const Case cases[] = {
      {{}, Language::kEnglish},
      {{{"LANG", "nl_NL.UTF-8"}}, Language::kDutch},
      {{{"LANG", "en_US.UTF-8"}}, Language::kEnglish},
      {{{"LANG", "de_DE.UTF-8"}}, Language::kEnglish},
      // LC_ALL before LC_MESSAGES before LANG.
      {{{"LANG", "nl_NL.UTF-8"}, {"LC_ALL", "en_GB.UTF-8"}}, Language::kEnglish},
      {{{"LANG", "en_GB.UTF-8"}, {"LC_MESSAGES", "nl_BE.UTF-8"}}, Language::kDutch},
      // LANGUAGE lists preferences, the first that termijn speaks wins...
      {{{"LANG", "de_DE.UTF-8"}, {"LANGUAGE", "fr:nl:en"}}, Language::kDutch},
      {{{"LANG", "nl_NL.UTF-8"}, {"LANGUAGE", "en"}}, Language::kEnglish},
      // ... except in the C locale, where gettext ignores it.
      {{{"LC_ALL", "C"}, {"LANGUAGE", "nl"}}, Language::kEnglish},
      {{{"LANG", "C.UTF-8"}, {"LANGUAGE", "nl"}}, Language::kEnglish},
  };
  for (const auto& c : cases) {
    Environment env(c.env);
    std::string described;
    for (const auto& [k, v] : c.env) described += k + "=" + v + " ";
    EXPECT_EQ(language_from_environment(), c.expected) << described;
  }
}

// A .mo file as msgfmt writes it (little-endian), from (msgid, msgstr) pairs; a plural entry's
// strings hold their NULs.
std::string mo_file(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  auto word = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  auto n = static_cast<std::uint32_t>(entries.size());
  std::uint32_t originals = 28, translations = originals + 8 * n, strings = translations + 8 * n;
  word(0x950412de);
  word(0);
  word(n);
  word(originals);
  word(translations);
  word(0);
  word(0);
  std::string data;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ids, texts;
  for (const auto& [id, text] : entries) {
    ids.push_back({static_cast<std::uint32_t>(id.size()), strings + static_cast<std::uint32_t>(data.size())});
    data += id;
    data += '\0';
  }
  for (const auto& [id, text] : entries) {
    texts.push_back({static_cast<std::uint32_t>(text.size()), strings + static_cast<std::uint32_t>(data.size())});
    data += text;
    data += '\0';
  }
  for (const auto& [length, offset] : ids) word(length), word(offset);
  for (const auto& [length, offset] : texts) word(length), word(offset);
  return out + data;
}

TEST(MessageCatalog, ReadsSingularAndPluralEntriesAndSkipsTheHeader) {
  using namespace std::string_literals;
  std::string bytes = mo_file({{"", "Language: nl\n"},
                               {"error", "fout"},
                               {"untranslated", ""},
                               {"{} file"s + '\0' + "{} files", "{} bestand"s + '\0' + "{} bestanden"},
                               {"menu\x04open", "openen"}});
  auto catalog = MessageCatalog::read(bytes);
  ASSERT_TRUE(catalog.is_ok()) << catalog.status().message();
  EXPECT_EQ(catalog->size(), 2u);
  ASSERT_NE(catalog->find("error"), nullptr);
  EXPECT_EQ(*catalog->find("error"), "fout");
  EXPECT_EQ(catalog->find("untranslated"), nullptr) << "an empty msgstr leaves the English";
  EXPECT_EQ(catalog->find(""), nullptr);
  EXPECT_EQ(catalog->find("open"), nullptr);
  ASSERT_NE(catalog->plural_forms("{} file"), nullptr);
  EXPECT_EQ(*catalog->plural_forms("{} file"), (std::vector<std::string>{"{} bestand", "{} bestanden"}));
}

TEST(MessageCatalog, ReadsTheOtherByteOrder) {
  std::string little = mo_file({{"error", "fout"}});
  std::string big = little;
  // Swap each of the header's and tables' words (the strings are bytes and stay as they are).
  for (std::size_t at = 0; at + 4 <= 28 + 16; at += 4) std::swap(big[at], big[at + 3]), std::swap(big[at + 1], big[at + 2]);
  auto catalog = MessageCatalog::read(big);
  ASSERT_TRUE(catalog.is_ok()) << catalog.status().message();
  ASSERT_NE(catalog->find("error"), nullptr);
  EXPECT_EQ(*catalog->find("error"), "fout");
}

TEST(MessageCatalog, RefusesBytesThatLieAboutThemselves) {
  std::string good = mo_file({{"error", "fout"}, {"warning", "waarschuwing"}});
  auto refused = [](const std::string& bytes) { return !MessageCatalog::read(bytes).is_ok(); };
  EXPECT_FALSE(refused(good));
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused("not a catalog at all, but long enough to have a header"));
  EXPECT_TRUE(refused(good.substr(0, 12))) << "a header cut short";
  for (std::size_t cut = 20; cut < good.size(); ++cut) EXPECT_TRUE(refused(good.substr(0, cut))) << "cut at " << cut;
  std::string many = good;
  many[8] = '\xff', many[9] = '\xff', many[10] = '\xff', many[11] = '\x0f';  // a count of 268 million
  EXPECT_TRUE(refused(many));
  std::string far = good;
  far[32] = '\xff', far[33] = '\xff', far[34] = '\xff', far[35] = '\xff';  // the first msgid's offset
  EXPECT_TRUE(refused(far));
  std::string long_string = good;
  long_string[28] = '\xf0', long_string[29] = '\xff', long_string[30] = '\xff', long_string[31] = '\xff';  // its length
  EXPECT_TRUE(refused(long_string));
  std::string no_nul = good;
  no_nul[no_nul.size() - 1] = 'x';  // the last string does not end
  EXPECT_TRUE(refused(no_nul));
  std::string revision = good;
  revision[6] = 1;  // major revision 1
  EXPECT_TRUE(refused(revision));
}

// The replacement fields of a format string ({}, {0}, {:.1f}, {1:>3}), numbered as fmt numbers
// them, with their format specs; literal braces ({{ }}) and braces around other text are not fields.
std::multiset<std::string> fields(const std::string& text) {
  std::multiset<std::string> out;
  static const std::regex field(R"(\{\{|\}\}|\{([0-9]*)(:[^{}]*)?\})");
  int next = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), field); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    if (m.str(0) == "{{" || m.str(0) == "}}") continue;
    std::string index = m.str(1).empty() ? std::to_string(next++) : m.str(1);
    out.insert(index + m.str(2));
  }
  return out;
}

TEST(DutchCatalog, EveryTranslationKeepsItsEnglishPlaceholders) {
  auto catalog = MessageCatalog::read(internal::dutch_catalog_bytes());
  ASSERT_TRUE(catalog.is_ok()) << catalog.status().message();
  for (const auto& entry : catalog->entries()) {
    std::multiset<std::string> english = fields(entry.english);
    if (!entry.english_plural.empty()) {
      // A counted message may leave the count out of its singular ("one file"), not its plural.
      std::multiset<std::string> plural = fields(entry.english_plural);
      ASSERT_EQ(entry.forms.size(), 2u) << entry.english;
      EXPECT_EQ(fields(entry.forms[1]), plural) << entry.english_plural << " -> " << entry.forms[1];
      continue;
    }
    ASSERT_EQ(entry.forms.size(), 1u);
    EXPECT_EQ(fields(entry.forms[0]), english) << entry.english << " -> " << entry.forms[0];
    // Leading and trailing spaces glue a message into a sentence; they must survive translation.
    EXPECT_EQ(entry.english.front() == ' ', entry.forms[0].front() == ' ') << entry.english;
    EXPECT_EQ(entry.english.back() == ' ', entry.forms[0].back() == ' ') << entry.english;
  }
}

TEST(DutchCatalog, AMistakeInATranslationFallsBackToTheEnglish) {
  const std::string broken = "{} fouten, {} waarschuwingen {}";  // one placeholder too many
  int errors = 2;
  EXPECT_EQ(internal::format_translated(&broken, "{} errors", fmt::make_format_args(errors)), "2 errors");
  const std::string typed = "{:d} fouten";
  std::string text = "x";
  EXPECT_EQ(internal::format_translated(&typed, "{} errors", fmt::make_format_args(text)), "x errors");
  const std::string fine = "{} fouten";
  EXPECT_EQ(internal::format_translated(&fine, "{} errors", fmt::make_format_args(errors)), "2 fouten");
}

TEST(Language, EnglishUnlessDutchIsChosen) {
  EXPECT_EQ(language(), Language::kEnglish);
  EXPECT_STREQ(tr("error"), "error");
  EXPECT_EQ(trn("{} file checked", "{} files checked", 1, 1), "1 file checked");
  EXPECT_EQ(trn("{} file checked", "{} files checked", 3, 3), "3 files checked");
  InLanguage dutch(Language::kDutch);
  EXPECT_STREQ(tr("error"), "fout");
  EXPECT_EQ(trn("{} file checked", "{} files checked", 1, 1), "1 bestand gecontroleerd");
  EXPECT_EQ(trn("{} file checked", "{} files checked", 3, 3), "3 bestanden gecontroleerd");
  EXPECT_EQ(tr("no such message {}", 1), "no such message 1") << "a message the catalog lacks stays English";
}

TEST(Language, TheCheckerSpeaksDutchWhenAskedAndEnglishOtherwise) {
  const char* broken = R"(
process p {
  roles hovj
  events melding
  start on melding
  task a by hovj
}
)";
  std::string english = testing::compile_text(broken).errors();
  EXPECT_NE(english.find("test.wth:6:8: error: task 'a' has no deadline"), std::string::npos) << english;
  InLanguage dutch(Language::kDutch);
  std::string translated = testing::compile_text(broken).errors();
  EXPECT_NE(translated.find("test.wth:6:8: fout: taak 'a' heeft geen deadline"), std::string::npos) << translated;
  EXPECT_EQ(translated.find("error"), std::string::npos) << translated;
}

TEST(Language, ADidYouMeanIsTranslatedAndStillFoundForTheQuickFix) {
  InLanguage dutch(Language::kDutch);
  std::string text = did_you_mean("hovk", {"hovj", "politie"});
  EXPECT_EQ(text, " (bedoelt u 'hovj'?)");
}

}  // namespace
}  // namespace termijn
