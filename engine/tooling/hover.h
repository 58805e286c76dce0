// What the editor shows when the pointer rests on a name: for a legal term its value in this
// process, its citation and the comment above its definition (where stdlib/wth.wth quotes the
// article); for a step its deadline rule in words, its role and its escalation ladder; for the
// other names their declaration. Markdown, as the Language Server Protocol's hover carries it.
#pragma once

#include <string>

#include "engine/model/model.h"
#include "engine/tooling/symbol_index.h"

namespace termijn::tooling {

// `declaration` as seen from `scope`, the process the name is used in (a variant sees its own
// value of a term and its own version of an inherited step). `model` may be null, or lack the
// process when the file has errors: the declaration's text is shown then.
std::string describe(const Declaration& declaration, const std::string& scope, const model::Model* model);

// "within 3 days of opening (Aanname.zorgadvies = 3 days: aanname ...)": a task's deadline rule in words.
std::string deadline_in_words(const model::Node& task, const model::Process& process);

}  // namespace termijn::tooling
