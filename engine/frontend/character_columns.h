// ANTLR counts a token's column in characters (its input stream holds code points); termijn's
// ranges count bytes (base/source.h), so that a range's text and a diagnostic's caret are right on
// a line with "één" before the name. Counting from the start of the line again for every token
// made a long line quadratic (a 200 KB one-line file took 20 s to parse); this looks at each line
// once, on first use.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <vector>

#include "engine/base/source.h"

namespace termijn {

class CharacterColumns {
 public:
  explicit CharacterColumns(SourceFilePtr source) : source_(std::move(source)) {}

  // Where the character `characters` code points into line `line` (1-based) starts; a count past
  // the line's end lands at its end.
  SourcePos position(std::size_t line, std::size_t characters);
  const SourceFilePtr& source() const { return source_; }

 private:
  SourceFilePtr source_;
  // Per line looked at: the byte at which each of its characters starts, then the line's length;
  // empty for a line of ASCII only, where characters and bytes are the same.
  std::unordered_map<std::size_t, std::vector<std::size_t>> starts_;
};

}  // namespace termijn
