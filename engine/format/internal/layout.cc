#include "engine/format/internal/layout.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>

namespace termijn::format::internal {
namespace {

using Kind = LayoutToken::Kind;

// Trailing comments are aligned only over lines of code at most this wide, so one long line
// does not push the comments of its neighbours far to the right (nor the output's size up).
constexpr std::size_t kAlignCodeWidth = 80;
// Term definitions are aligned only when the name is at most this long; a longer one keeps
// single spaces rather than widen every line of its block.
constexpr std::size_t kAlignTermName = 24;

bool is(const LayoutToken& t, const char* text) { return t.kind == Kind::kPunct && t.text == text; }

// No space between `before` and `after` on one line.
bool glued(const LayoutToken& before, const LayoutToken& after) {
  if (before.is_comment() || after.is_comment()) return false;
  if (is(after, ",") || is(after, ")") || is(after, ".") || is(after, ":")) return true;
  if (is(before, "(") || is(before, ".")) return true;
  if (is(after, "(") && before.kind == Kind::kName) return true;  // a function call
  if (after.in_type) return true;                                  // list<person>
  return before.in_type && is(before, "<");
}

struct Line {
  std::string code;                  // indentation, tokens and inline block comments
  std::string comment;               // a trailing `//` comment
  bool multi = false;                // holds a block comment over several lines: never aligned
  int terms_block = -1;              // the `{` of the terms block whose definition it holds
  std::optional<std::size_t> assign, cite;  // where a term definition's `=` and `cite` begin
};

class Layout {
 public:
  explicit Layout(const std::vector<LayoutToken>& tokens)
      : t_(tokens), one_line_(tokens.size(), false),
        next_code_(tokens.size() + 1, tokens.size()) {
    for (std::size_t i = t_.size(); i-- > 0;) next_code_[i] = t_[i].is_comment() ? next_code_[i + 1] : i;
    // A block stays on one line when written so, with at most one element and no comment, and
    // every block inside it stays on one line too.
    struct Open {
      std::size_t at;
      int elements;
      bool fits;
    };
    std::vector<Open> open;
    for (std::size_t i = 0; i < t_.size(); ++i) {
      if (!open.empty() && t_[i].is_comment()) open.back().fits = false;
      if (!open.empty() && t_[i].item_start) ++open.back().elements;
      if (is(t_[i], "{")) open.push_back(Open{i, 0, true});
      if (is(t_[i], "}") && !open.empty()) {
        Open block = open.back();
        open.pop_back();
        one_line_[block.at] = block.fits && block.elements <= 1 && t_[block.at].line == t_[i].line;
        if (!one_line_[block.at] && !open.empty()) open.back().fits = false;
      }
    }
  }

  std::string run() {
    levels_.push_back(Level{false, 0, -1});
    for (std::size_t i = 0; i < t_.size(); ++i) place(i);
    align_terms();
    align_comments();
    std::string out;
    for (const auto& line : lines_) {
      out += line.code;
      if (!line.comment.empty()) out += (line.code.back() == ' ' ? "" : "  ") + line.comment;
      out += '\n';
    }
    return out;
  }

 private:
  struct Level {
    bool one_line;  // a block kept on one line
    std::size_t continuation;  // indentation of a continued line of the current element
    int terms_block;  // the `{` of a terms block, else -1
  };

  std::size_t depth() const { return levels_.size() - 1; }

  // The first token from `i` on that is not a comment, or the end.
  std::size_t next_code(std::size_t i) const { return next_code_[i]; }

  // What starts a line at the indentation of the block's elements rather than as a continuation.
  bool at_element_level(std::size_t i) const {
    return i >= t_.size() || t_[i].item_start || is(t_[i], "}");
  }

  std::size_t indentation(std::size_t i) const {
    if (is(t_[i], "}")) return 2 * (depth() - 1);
    std::size_t code = t_[i].is_comment() ? next_code(i) : i;
    return at_element_level(code) ? 2 * depth() : levels_.back().continuation;
  }

  void new_line(std::size_t i, bool blank) {
    if (blank) lines_.emplace_back();
    lines_.emplace_back();
    lines_.back().code.assign(indentation(i), ' ');
    if (!t_[i].is_comment() || at_element_level(next_code(i))) block_start_ = false;
  }

  void place(std::size_t i) {
    const LayoutToken& token = t_[i];
    if (i == 0) {
      new_line(i, false);
    } else {
      const LayoutToken& before = t_[i - 1];
      bool broken = token.line > before.end_line;  // the author put a line break here
      bool newline;
      if (before.kind == Kind::kLineComment) {
        newline = true;
      } else if (token.is_comment()) {
        newline = broken;
      } else if (token.item_start || is(token, "}")) {
        // Inside a block kept on one line: its one element follows `{`, and `}` follows that.
        newline = !((is(before, "{") || is(token, "}")) && levels_.back().one_line);
      } else {
        newline = broken && !is(token, "{");
      }
      if (newline) {
        std::size_t code = token.is_comment() ? next_code(i) : i;
        bool blank = token.line - before.end_line >= 2 && !block_start_ && !is(token, "}") && at_element_level(code);
        new_line(i, blank);
      } else if (!lines_.back().code.empty() && !glued(before, token)) {
        if (token.kind != Kind::kLineComment) lines_.back().code += ' ';
      }
    }
    append(i);
  }

  void append(std::size_t i) {
    const LayoutToken& token = t_[i];
    Line& line = lines_.back();
    if (token.kind == Kind::kLineComment) {
      bool alone = line.code.find_first_not_of(' ') == std::string::npos;
      (alone ? line.code : line.comment) += kept_text(token);
      return;
    }
    if (token.item_start) levels_.back().continuation = line.code.size() + token.text.size() + 1;
    if (token.term_column) {
      line.terms_block = levels_.back().terms_block;
      (token.text == "=" ? line.assign : line.cite) = line.code.size();
    }
    line.code += token.text;
    if (token.line != token.end_line) line.multi = true;
    if (is(token, "{")) {
      levels_.push_back(Level{one_line_[i], levels_.back().continuation, opens_terms(i) ? static_cast<int>(i) : -1});
      if (!levels_.back().one_line) block_start_ = true;
    }
    if (is(token, "}") && levels_.size() > 1) levels_.pop_back();
  }

  // `terms Wth {`.
  bool opens_terms(std::size_t open) const {
    return open >= 2 && t_[open - 1].kind == Kind::kName && t_[open - 2].kind == Kind::kWord &&
           t_[open - 2].text == "terms";
  }

  void align_terms() {
    // Lines eligible for alignment, per terms block: a definition's first line with its `=` (and
    // its `cite`, when on that line), with a short enough name.
    std::map<int, std::vector<Line*>> blocks;
    for (auto& line : lines_) {
      if (line.terms_block < 0 || line.multi || !line.assign) continue;
      if (*line.assign > line.code.find_first_not_of(' ') + kAlignTermName + 1) continue;
      blocks[line.terms_block].push_back(&line);
    }
    for (auto& [block, lines] : blocks) {
      for (auto column : {&Line::assign, &Line::cite}) {
        std::size_t target = 0;
        for (const Line* line : lines) target = std::max(target, (line->*column).value_or(0));
        for (Line* line : lines) {
          if (!(line->*column)) continue;
          std::size_t pad = target - *(line->*column);
          line->code.insert(*(line->*column), pad, ' ');
          if (line->cite) *line->cite += pad;  // the `cite` follows the `=`
        }
      }
    }
  }

  // Columns as an editor shows them: UTF-8 continuation bytes take none ("Financiële").
  static std::size_t width(const std::string& code) {
    return static_cast<std::size_t>(
        std::count_if(code.begin(), code.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  }

  void align_comments() {
    auto alignable = [](const Line& line) {
      return !line.comment.empty() && !line.multi && width(line.code) <= kAlignCodeWidth &&
             line.code.find_first_not_of(' ') != std::string::npos;
    };
    for (std::size_t begin = 0; begin < lines_.size();) {
      if (!alignable(lines_[begin])) {
        ++begin;
        continue;
      }
      std::size_t end = begin;
      std::size_t column = 0;
      for (; end < lines_.size() && alignable(lines_[end]); ++end) column = std::max(column, width(lines_[end].code));
      for (std::size_t i = begin; i < end; ++i) lines_[i].code.append(column + 2 - width(lines_[i].code), ' ');
      begin = end;
    }
  }

  const std::vector<LayoutToken>& t_;
  std::vector<bool> one_line_;      // for each `{`, whether its block stays on one line
  std::vector<std::size_t> next_code_;  // for each token, the first code token from it on (runs of comments)
  std::vector<Level> levels_;       // the open blocks; the first is the file
  std::vector<Line> lines_;
  bool block_start_ = true;  // nothing on its own line yet since the last `{` (or the file's start)
};

}  // namespace

std::string kept_text(const LayoutToken& token) {
  if (token.kind != Kind::kLineComment) return token.text;
  return token.text.substr(0, token.text.find_last_not_of(" \t") + 1);
}

std::string layout(const std::vector<LayoutToken>& tokens) { return Layout(tokens).run(); }

}  // namespace termijn::format::internal
