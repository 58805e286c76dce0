// Every limit termijn puts on what comes from outside, in one place (as SQLite's sqliteLimit.h
// does). Each bounds stack, memory or time against input from a file, a request or a database;
// every entry point checks the limits that apply to it and refuses with a located diagnostic
// (front end) or a 4xx with a reason (HTTP), naming the limit. docs/engine.md and docs/api.md
// list them with the error each gives; tests/unit/limits_test.cc proves each one: at the limit
// accepted, one over refused.
#pragma once

#include <cstddef>

namespace termijn::limits {

// Bytes in one source file (.wth, .scenario, .sim, .simrules) and in one deploy upload. The
// largest shipped file is about 20 KB; a megabyte is fifty times that, and bounds the time one
// parse may hold the engine thread.
inline constexpr std::size_t kSourceBytes = 1 << 20;

// Files in one deploy upload or one program (imports included).
inline constexpr std::size_t kFilesPerProgram = 256;

// How deep the `include` lines of .scenario files may nest: a includes b, b includes c, ...,
// counted in files below the one read. Sharing set-ups needs a level or two. The scenario reader
// recurses once per level, with a reader and its file's text per level; the bound keeps a long
// chain from going deep on the stack. How many files one parse reads at all is bounded by
// kFilesPerProgram, as a program's imports are. (Tested in tests/scenario/scenario_format_test.cc.)
inline constexpr std::size_t kIncludeDepth = 8;

// Memory the scenarios of one .scenario file take, with their includes, as the reader estimates
// it: each line a step's size (scenario::Step, 552 bytes) and 16 bytes per byte of its text
// (a case data field of a few bytes becomes a JSON map node and its strings). A `given` set-up
// counts again in every section that takes it in, since each gets a copy of its lines. The
// largest shipped file (landelijk.scenario) takes an estimated 1.1 MB; a 1 MiB file of short
// lines, taking in nothing, some 45 MB. Past it the file is refused at the line that passes it.
// (Tested in tests/scenario/scenario_format_test.cc.)
inline constexpr std::size_t kScenarioMemory = std::size_t{256} << 20;

// Nesting of blocks, parentheses and list literals in a source file. The parser, the checker
// and the evaluator recurse once per level; 64 is far beyond any process a person writes
// (the shipped files nest at most 6 deep) and far below what the stack holds.
inline constexpr int kSourceNesting = 64;

// Depth of the parse tree of a .wth file: steps in blocks, and the parts of an expression
// (`a + b + c` is two levels, `not not x` two). The parser, the AST builder, the checker and the
// evaluator each recurse once per level, in ANTLR's case with large frames; 256 allows any
// process a person writes (the shipped ones reach about 40) and stays far from the stack's end,
// also under AddressSanitizer and on a worker thread.
inline constexpr int kParseDepth = 256;

// Syntax errors the parser may recover from in one file before it stops. Only the first is
// reported (later ones describe the parser's guesses); the bound keeps garbage from holding the
// parser (cel-cpp caps recovery the same way).
inline constexpr int kSyntaxRecoveries = 25;

// The longest duration, in days (months count as 30 days, hours as parts of days): a hundred
// years. The longest legal term is the five-year retention (art. 10 Wth); the bound keeps
// calendar arithmetic exact and counting working days short.
inline constexpr long long kDurationDays = 36'600;

// Moments from outside (case data, and the dates of .scenario and .sim files), in milliseconds
// since 1970 UTC: wide enough for any birth date and any term, narrow enough that calendar
// arithmetic on them stays exact and that every one is written with a four-digit year (a
// scenario starting in the year 0 counted from a moment no ISO date could name).
inline constexpr long long kEarliestMoment = -2'208'988'800'000;  // 1900-01-01T00:00:00Z
inline constexpr long long kLatestMoment = 7'258'118'400'000;     // 2200-01-01T00:00:00Z

// Steps one case may take within one command or timer before it must wait. A process that loops
// back without a task, timer or wait would otherwise hold the engine thread for ever; the
// longest shipped course takes a few hundred steps in one go.
inline constexpr int kStepsPerCommand = 100'000;

// Diagnostics kept in one list (a check, a deploy, a scenario or simulation file). Each is
// rendered with its source line, so 20,000 mistakes in a 700 KB file rendered 20 GB before this
// bound (and the excerpt window of base/diagnostic.cc). Past it they are only counted: the counts
// of errors and warnings stay true, and the rendering says how many are not shown. Clang stops at
// 20 errors; a thousand leaves every real file's mistakes in view.
inline constexpr std::size_t kDiagnostics = 1'000;

// Steps of one process once it is laid out as a graph: every step, start, stage entry and exit,
// and the join of each parallel or for-each step. The checker's flow analysis keeps, per step, the
// steps certainly passed before it, so its memory and time grow with the square of this count; the
// largest shipped process has 86, and a 1 MiB file of one-line tasks about 25,000 (which took the
// checker 22 s and a gigabyte before this bound). A larger process is better split into processes
// that call each other.
inline constexpr std::size_t kStepsPerProcess = 2'000;

// Processes in one chain of `extends` (a variant of a variant of ...). The checker resolves and
// compiles each process after the one it extends, a few stack frames per link; the longest
// shipped chain is 3 (noord, zorg_een_partij, landelijk), and a 1 MiB file of one-line variants
// declared before their parents, about 30,000 deep, overflowed the stack.
inline constexpr std::size_t kExtendsDepth = 64;

// Nesting of JSON values in a request body, in a language-server message, in case data, in task outputs and event data, and
// in a value read from a scenario or simulation file. Case data is flat records and lists of
// records; 32 leaves room for a host's own structure while every copy and dump of a case stays
// shallow.
inline constexpr int kJsonNesting = 32;

// Bytes in one string value in case data, outputs or event data (a motivation, an address).
inline constexpr std::size_t kStringBytes = 64 * 1024;

// Elements in one list value in case data (persons in a household, contacts).
inline constexpr std::size_t kListElements = 1000;

// Bytes of a case's data as stored (its JSON), so every later read of the case stays cheap.
inline constexpr std::size_t kCaseDataBytes = 256 * 1024;

// The language server (`termijn lsp`, engine/lsp/) reads messages from an editor. A header line
// is a name and a number: a kilobyte is plenty, and sixteen headers more than the two the
// protocol defines. A message carries at most one whole source file (kSourceBytes), which JSON
// escaping can make up to six times longer: 8 MiB holds it, and bounds what one message may
// make the server hold. A larger message is skipped unread, with an error answer.
inline constexpr std::size_t kLspHeaderBytes = 1024;
inline constexpr int kLspHeaders = 16;
inline constexpr std::size_t kLspMessageBytes = 8 << 20;

// Documents an editor may hold open in one language-server session: each is kept in memory
// (at most kSourceBytes), so the bound caps the server's memory at a few hundred megabytes.
inline constexpr std::size_t kLspOpenDocuments = 256;

}  // namespace termijn::limits
