// The canonical layout itself: the tokens of a parsed .wth file in, its text out. Whether the
// result means the same is checked by the caller (engine/format/format.cc).
#pragma once

#include <string>
#include <vector>

#include "engine/frontend/layout_tokens.h"

namespace termijn::format::internal {

// The rules, as docs/language.md ("Layout: termijn fmt") tells them:
//  - every list element (declaration, member, step, field, term, task item, rung, branch, part,
//    item, rule) starts a line, indented two spaces per enclosing `{`; `}` closes on its own line;
//  - a block written on one line stays on one line when it holds at most one element and no
//    comment (`{ cite "..." }`, `{ }`);
//  - within an element, a line break the author made is kept and the next line is aligned after
//    the element's first word (`task x ... by r` / `     due ...`); other breaks become a space,
//    and `{` joins the line before it;
//  - one space between tokens, none inside `( )`, before `,` `:` `)`, around `.` and the `< >` of
//    a type, nor between a function's name and its `(`;
//  - at most one blank line, kept where the author left one between elements or comments, never
//    after `{` or before `}`;
//  - comments stay where they are: one at the end of a line stays there, one on its own line
//    stays on its own line, indented as the code after it; trailing comments on consecutive lines
//    are aligned, and so are the `=` and `cite` of the term definitions of one `terms` block;
//  - text inside strings and comments is never touched (only spaces after a `//` comment go).
std::string layout(const std::vector<LayoutToken>& tokens);

// A token's text as the layout writes it: a `//` comment without the spaces at its end.
std::string kept_text(const LayoutToken& token);

}  // namespace termijn::format::internal
