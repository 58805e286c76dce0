// What this test program holds through operator new, which counting_allocator.cc replaces
// (the aligned forms are not replaced and not counted: the engine does not use them). The
// sanitizer builds do not build the program: their runtimes replace operator new themselves.
#pragma once

namespace termijn::testing {

// Bytes allocated by operator new and not yet deleted, as the usable sizes of malloc's blocks.
long long live_bytes();

}  // namespace termijn::testing
