// A pool of workers' discipline: when it works (its office hours) and which of the tasks waiting
// for it a free worker takes.
#pragma once

#include <cstddef>
#include <vector>

#include "engine/runtime/runtime.h"
#include "engine/simulation/spec.h"
#include "engine/time/legal_time.h"

namespace termijn::simulation::internal {

// A task waiting for a worker of its role.
struct Waiting {
  runtime::TaskId task;
  Instant since;  // when it opened
};

// Whether `pool` works at `t`; when it does not, `*next_open` is when it opens next.
bool open_at(const Pool& pool, Instant t, const LegalTime& legal, Instant* next_open);

// The waiting task a free worker takes, by the pool's order (ties: the one that opened first).
std::size_t next_in_line(const Pool& pool, const std::vector<Waiting>& waiting, const runtime::Runtime& runtime);

}  // namespace termijn::simulation::internal
