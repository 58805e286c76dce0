#include "engine/base/message_catalog.h"

#include <fmt/format.h>

#include <cstdint>

namespace termijn {
namespace {

// The .mo layout (GNU gettext manual, "The Format of GNU MO Files"): a magic number, a revision,
// the number of strings N, the offset of the table of original strings and of the table of
// translations; each table holds N (length, offset) pairs of 32-bit numbers. Strings are NUL
// terminated; a plural entry's msgid is "singular\0plural" and its msgstr the forms, NUL-separated.
constexpr std::uint32_t kMagic = 0x950412de;
constexpr std::uint32_t kMagicSwapped = 0xde120495;
constexpr char kContextSeparator = '\x04';

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool read_magic() {
    std::uint32_t magic = 0;
    if (!word(0, magic)) return false;
    if (magic == kMagicSwapped) swapped_ = true;
    return magic == kMagic || magic == kMagicSwapped;
  }
  bool word(std::size_t at, std::uint32_t& out) const {
    if (at > bytes_.size() || bytes_.size() - at < 4) return false;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      std::uint32_t byte = static_cast<unsigned char>(bytes_[at + static_cast<std::size_t>(i)]);
      v |= swapped_ ? byte << (8 * (3 - i)) : byte << (8 * i);
    }
    out = v;
    return true;
  }
  // The string described by the (length, offset) pair at `at`; it must end in a NUL inside the bytes.
  bool string(std::size_t at, std::string_view& out) const {
    std::uint32_t length = 0, offset = 0;
    if (!word(at, length) || !word(at + 4, offset)) return false;
    if (offset > bytes_.size() || bytes_.size() - offset <= length) return false;
    if (bytes_[offset + length] != '\0') return false;
    out = bytes_.substr(offset, length);
    return true;
  }

 private:
  std::string_view bytes_;
  bool swapped_ = false;
};

std::vector<std::string> split_at_nul(std::string_view s) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    std::size_t nul = s.find('\0', start);
    parts.emplace_back(s.substr(start, nul == std::string_view::npos ? std::string_view::npos : nul - start));
    if (nul == std::string_view::npos) return parts;
    start = nul + 1;
  }
}

}  // namespace

Result<MessageCatalog> MessageCatalog::read(std::string_view bytes) {
  auto refuse = [](const std::string& why) {
    return Status(StatusCode::kInvalidArgument, "not a message catalog (.mo): " + why);
  };
  Reader reader(bytes);
  if (!reader.read_magic()) return refuse("no magic number");
  std::uint32_t revision = 0, count = 0, originals = 0, translations = 0;
  if (!reader.word(4, revision) || !reader.word(8, count) || !reader.word(12, originals) ||
      !reader.word(16, translations)) {
    return refuse("the header is cut short");
  }
  if ((revision >> 16) != 0) return refuse(fmt::format("major revision {} is not 0", revision >> 16));
  // Each entry takes 8 bytes in each table: a count beyond what the bytes hold is a lie.
  if (count > bytes.size() / 16) return refuse(fmt::format("{} strings do not fit in {} bytes", count, bytes.size()));
  MessageCatalog catalog;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view id, text;
    if (!reader.string(originals + 8ull * i, id) || !reader.string(translations + 8ull * i, text)) {
      return refuse(fmt::format("string {} lies outside the file", i));
    }
    if (id.empty() || id.find(kContextSeparator) != std::string_view::npos) continue;
    std::size_t nul = id.find('\0');
    if (nul == std::string_view::npos) {
      if (!text.empty()) catalog.singular_.emplace(std::string(id), std::string(text));
    } else {
      std::vector<std::string> forms = split_at_nul(text);
      bool translated = false;
      for (const auto& f : forms) translated = translated || !f.empty();
      std::string_view english_plural = id.substr(nul + 1);
      english_plural = english_plural.substr(0, english_plural.find('\0'));
      if (translated) {
        catalog.plural_.emplace(std::string(id.substr(0, nul)), Plural{std::string(english_plural), std::move(forms)});
      }
    }
  }
  return catalog;
}

const std::string* MessageCatalog::find(std::string_view english) const {
  auto it = singular_.find(english);
  return it == singular_.end() ? nullptr : &it->second;
}

const std::vector<std::string>* MessageCatalog::plural_forms(std::string_view english) const {
  auto it = plural_.find(english);
  return it == plural_.end() ? nullptr : &it->second.forms;
}

std::vector<MessageCatalog::Entry> MessageCatalog::entries() const {
  std::vector<Entry> out;
  for (const auto& [id, text] : singular_) out.push_back({id, "", {text}});
  for (const auto& [id, plural] : plural_) out.push_back({id, plural.english_plural, plural.forms});
  return out;
}

}  // namespace termijn
