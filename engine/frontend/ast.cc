#include "engine/frontend/ast.h"

namespace termijn::ast {

const char* kind_name(Step::Kind kind) {
  switch (kind) {
    case Step::Kind::kTask: return "task";
    case Step::Kind::kMilestone: return "milestone";
    case Step::Kind::kDecide: return "decision";
    case Step::Kind::kTimer: return "timer";
    case Step::Kind::kWaitUntil: return "wait";
    case Step::Kind::kWaitFor: return "wait";
    case Step::Kind::kParallel: return "parallel";
    case Step::Kind::kForEach: return "for each";
    case Step::Kind::kCall: return "call";
    case Step::Kind::kRequire: return "require";
    case Step::Kind::kNotify: return "notify";
    case Step::Kind::kSignal: return "signal";
    case Step::Kind::kSet: return "set";
    case Step::Kind::kGoto: return "goto";
    case Step::Kind::kEnd: return "end";
    case Step::Kind::kStage: return "stage";
    case Step::Kind::kHandler: return "handler";
    case Step::Kind::kHandOn: return "hand on";
  }
  return "step";
}

const char* to_string(Addition::Where where) {
  switch (where) {
    case Addition::Where::kBefore: return "before";
    case Addition::Where::kAfter: return "after";
    case Addition::Where::kBeside: return "beside";
    case Addition::Where::kBranch: return "branch";
  }
  return "";
}

namespace {
template <typename StepT, typename BlockPtr>
std::vector<BlockPtr> blocks_of(StepT& step) {
  std::vector<BlockPtr> out;
  auto add_continuation = [&out](auto& c) {
    if (!c.jump) out.push_back(&c.block);
  };
  switch (step.kind) {
    case Step::Kind::kDecide: {
      auto& d = std::get<DecideStep>(step.body);
      for (auto& w : d.whens) add_continuation(w.then);
      if (d.otherwise) add_continuation(*d.otherwise);
      break;
    }
    case Step::Kind::kParallel:
      for (auto& b : std::get<ParallelStep>(step.body).branches) out.push_back(&b.body);
      break;
    case Step::Kind::kForEach: out.push_back(&std::get<ForEachStep>(step.body).body); break;
    case Step::Kind::kStage: out.push_back(&std::get<StageStep>(step.body).body); break;
    case Step::Kind::kHandler: add_continuation(std::get<HandlerStep>(step.body).then); break;
    default: break;
  }
  return out;
}
}  // namespace

std::vector<Block*> child_blocks(Step& step) { return blocks_of<Step, Block*>(step); }
std::vector<const Block*> child_blocks(const Step& step) {
  return blocks_of<const Step, const Block*>(step);
}

}  // namespace termijn::ast
