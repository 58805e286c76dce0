// Art. 3 lid 3 Algemene termijnenwet: the Crown may by decree equate other days with the
// recognised holidays (law.md §3.4). Those days are data, not code: one line each in
// stdlib/atw_gelijkgestelde_dagen.txt, which the build checks (a mistake stops it with the line
// and column) and compiles into termijn (embed_equated_days.cc).
#pragma once

#include <date/date.h>

#include <span>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/source.h"

namespace termijn {

struct EquatedDay {
  date::year_month_day day;
  std::string decree;  // the decree that equated it, as the file names it
};

// Reads the file: `#` comments, blank lines, and lines `YYYY-MM-DD  decree`. A line with a
// mistake (not a date, a day outside 1965-2199, a Saturday, Sunday or holiday already, a day
// listed twice, no decree) gets a located error and is left out. The caller first admits the
// text (admit_source: its size and UTF-8), as for every other source file.
std::vector<EquatedDay> parse_equated_days(const SourceFilePtr& file, DiagnosticList& diagnostics);

// The days compiled in from stdlib/atw_gelijkgestelde_dagen.txt when termijn was built.
std::span<const EquatedDay> equated_days();

}  // namespace termijn
