#pragma once

namespace termijn {

// Binary operators, shared by the parsed and the compiled expression forms.
enum class BinaryOp { kAdd, kSub, kMul, kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr };

const char* op_symbol(BinaryOp op);

}  // namespace termijn
