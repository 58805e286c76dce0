// How termijn's programs have mimalloc manage their memory. This file is compiled into each
// program that CMakeLists.txt links with mimalloc (termijn_allocator), never into the engine's
// library: a program that embeds the engine keeps its own allocator and settings. Written against
// mimalloc 2.0 (Debian 12 ships 2.0.9), whose option names these are.
//
// Every case step allocates and frees many small JSON values and map nodes, and a run grows to
// hundreds of megabytes. mimalloc's defaults hand freed memory back to the kernel and map new
// memory in 4 KiB pages; each of those pages then costs a page fault (the kernel zeroing it), and
// the engine's thread spent an eighth of its time in them. So, before main:
//  - large OS pages: new memory is asked for in 2 MiB pages (reserved huge pages when the host
//    has any, else transparent huge pages by madvise), one fault for 512 small ones, and fewer
//    TLB misses while walking a case's maps. mimalloc never gives such memory back;
//  - no decommit, eager commit: memory a program frees stays mapped for its next allocation.
// A program's resident size therefore stays at its peak, passing peaks included (a restart's
// recovery, a large response). Measured in docs/engine.md ("The allocator's pages"); what an
// operator may change, in docs/operations.md ("Memory"). mimalloc's own variable for an option,
// when set (mimalloc reads the names in any case), wins.
#include <mimalloc.h>

#include <strings.h>

#include <cstring>

namespace {

bool named(char** environment, const char* variable) {
  const std::size_t length = std::strlen(variable);
  for (char** entry = environment; entry != nullptr && *entry != nullptr; ++entry) {
    if (strncasecmp(*entry, variable, length) == 0 && (*entry)[length] == '=') return true;
  }
  return false;
}

void prefer(char** environment, mi_option_t option, const char* variable, long value) {
  if (!named(environment, variable)) mi_option_set(option, value);
}

void set_options(int, char**, char** environment) {
  prefer(environment, mi_option_large_os_pages, "MIMALLOC_LARGE_OS_PAGES", 1);
  prefer(environment, mi_option_allow_decommit, "MIMALLOC_ALLOW_DECOMMIT", 0);
  prefer(environment, mi_option_eager_commit_delay, "MIMALLOC_EAGER_COMMIT_DELAY", 0);
}

// Run before any library's initialisers, mimalloc's own among them: it reads its options and maps
// its first memory as it initialises, and an option set after that applies only in part.
[[gnu::section(".preinit_array"), gnu::used]] void (*const preinit)(int, char**, char**) = set_options;

}  // namespace
