#include "engine/frontend/character_columns.h"

#include <algorithm>
#include <limits>

#include "engine/base/utf8.h"

namespace termijn {

SourcePos CharacterColumns::position(std::size_t line, std::size_t characters) {
  int at = line <= static_cast<std::size_t>(std::numeric_limits<int>::max()) ? static_cast<int>(line) : 0;
  std::string_view text = source_->line(at);
  auto [found, added] = starts_.try_emplace(line);
  std::vector<std::size_t>& starts = found->second;
  if (added && std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    // The text is valid UTF-8 (admit_source), so every other byte starts a character.
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (!is_utf8_continuation(text[i])) starts.push_back(i);
    }
    starts.push_back(text.size());
  }
  std::size_t bytes = starts.empty() ? std::min(characters, text.size()) : starts[std::min(characters, starts.size() - 1)];
  // A line is at most limits::kSourceBytes long (admit_source), so its columns fit an int.
  return SourcePos{at, static_cast<int>(bytes) + 1};
}

}  // namespace termijn
