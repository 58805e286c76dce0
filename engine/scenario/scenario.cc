#include "engine/scenario/scenario.h"

#include <fmt/format.h>

#include <unistd.h>

#include <cctype>
#include <deque>
#include <map>

#include "engine/api/engine.h"
#include "engine/base/limits.h"
#include "engine/base/numbers.h"
#include "engine/frontend/line_reader.h"
#include "engine/driver/compilation.h"
#include "engine/runtime/evaluator.h"
#include "engine/time/legal_time.h"

namespace termijn::scenario {

namespace {

namespace fs = std::filesystem;
using lines::LineReader;
using lines::Word;

Named named(const Word& w) { return Named{w.text, w.range}; }

std::vector<Named> named(const std::vector<Word>& words) {
  std::vector<Named> out;
  for (const auto& w : words) out.push_back(named(w));
  return out;
}

// How deep includes may nest (a includes b, b includes c, ...). Sharing set-ups needs a level or
// two; the bound keeps a long chain from going deep on the stack (a reader per level). How many
// files one parse reads is bounded by limits::kFilesPerProgram, as a program's imports are.
constexpr std::size_t kIncludeDepth = 8;

// Adds unless a diagnostic with the same text at the same place of the same path is there: an
// included file is read anew for every file that includes it (and by `termijn test` on its own),
// and a set-up's mistake is the same mistake for every scenario that uses it.
void add_once(DiagnosticList& into, const Diagnostic& diagnostic) {
  auto path = [](const SourceRange& r) { return r.file ? r.file->path() : std::string(); };
  for (const auto& existing : into.all()) {
    if (existing.message == diagnostic.message && existing.range.begin == diagnostic.range.begin &&
        path(existing.range) == path(diagnostic.range)) {
      return;
    }
  }
  into.add(diagnostic);
}

// What one parse() shares with the files it includes.
struct Includes {
  std::vector<fs::path> reading;                    // the files being read, outermost first
  std::map<fs::path, std::deque<Scenario>> givens;  // each file's own set-ups; a file is read once
  DiagnosticList diagnostics;                       // the mistakes in included files
};

// The name a file is known by, however the path to it was written.
fs::path file_key(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal();
}

// The names a timeline line uses, with where they are written.
struct Words {
  std::optional<Word> step, role, event;
  std::vector<Word> fields;
};

// When a timeline line happens: `day N [HH:MM]` from the start's day (at the start's clock time
// unless given), or `at DATE [TIME]`. Nothing after reporting why.
std::optional<Instant> when(LineReader& r, const Word& first, const Scenario& s, const LegalTime& legal) {
  DiagnosticList& d = r.diagnostics();
  if (r.accept("at")) return r.moment();
  if (!r.accept("day")) {
    d.error(first.range, fmt::format("unknown line '{}': expected include, given, scenario, process, person, start, "
                                     "'day N' or 'at DATE'", first.text));
    return std::nullopt;
  }
  auto number = r.word("a day number");
  // A case's timeline spans years, not centuries; the bound keeps date arithmetic exact.
  constexpr int kLastDay = 100 * 366;
  std::optional<int> day = number ? parse_int_in(number->text, 0, kLastDay) : std::nullopt;
  if (!day) {
    if (number) d.error(number->range, fmt::format("expected a day number from 0 to {}, as in: day 8 14:35", kLastDay));
    return std::nullopt;
  }
  date::year_month_day start_day = legal.local_day(s.start);
  auto start_local = date::floor<std::chrono::minutes>(legal.to_local(s.start));
  auto time_of_day = start_local - date::floor<date::days>(start_local);
  std::string time;
  if (!r.time_of_day(time)) return std::nullopt;
  if (!time.empty()) time_of_day = lines::time_of_day(time);
  auto local = date::local_days{start_day} + date::days(*day) + time_of_day;
  return legal.from_local(std::chrono::time_point_cast<std::chrono::milliseconds>(local));
}

// `expect ...`: what should be true at that moment.
void read_expect(LineReader& r, Step& step, Words& n) {
  DiagnosticList& d = r.diagnostics();
  step.kind = Step::Kind::kExpect;
  if (r.accept("task")) {
    n.step = r.word("the task's step name");
    if (r.accept("open")) step.what = Step::What::kTaskOpen;
    else if (r.accept("done")) step.what = Step::What::kTaskDone;
    else if (r.accept("cancelled")) step.what = Step::What::kTaskCancelled;
    else if (r.accept("absent")) step.what = Step::What::kTaskAbsent;
    else if (r.accept("never")) step.what = Step::What::kTaskNever;
    else d.error(r.peek() ? r.peek()->range : r.end_range(), "expected open, done, cancelled, absent or never");
    if (r.accept("for")) n.role = r.word("the role");
    if (r.accept("due")) step.due = r.moment();
  } else if (r.accept("timer")) {
    step.what = Step::What::kTimer;
    n.step = r.word("the timer's name");
    if (r.expect("at")) step.due = r.moment();
  } else if (r.accept("level")) {
    step.what = Step::What::kLevel;
    auto number = r.word("a level");
    constexpr int kHighestLevel = 1000;
    if (auto level = number ? parse_int_in(number->text, 0, kHighestLevel) : std::nullopt) step.level = *level;
    else if (number) d.error(number->range, fmt::format("expected a level from 0 to {}", kHighestLevel));
  } else if (r.accept("notified")) {
    step.what = Step::What::kNotified;
    n.role = r.word("the role");
    if (r.peek() != nullptr) step.contains = r.quoted("the text the message contains");
  } else if (r.accept("refused")) {
    step.what = Step::What::kRefused;
    step.contains = r.quoted("the text the reason contains");
  } else if (r.accept("ended")) {
    step.what = Step::What::kEnded;
    if (r.peek() != nullptr) step.contains = r.quoted("the text the reason contains");
  } else if (r.accept("running")) {
    step.what = Step::What::kRunning;
  } else {
    d.error(r.peek() ? r.peek()->range : r.end_range(),
            "expected task, timer, level, notified, refused, ended or running after 'expect'");
  }
}

// What happens or should be true on a timeline line, after its moment. False when the line says
// nothing this reader knows (reported).
bool read_action(LineReader& r, Step& step, Words& n) {
  auto with = [&] {
    if (!r.accept("with")) return;
    if (auto data = r.record()) step.data = *data;
    n.fields = r.keys();
  };
  auto fails = [&] {
    if (r.accept("fails")) step.fails = r.quoted("the reason it fails");
  };
  if (r.accept("complete")) {
    step.kind = Step::Kind::kComplete;
    n.step = r.word("the task's step name");
    if (r.expect("by")) n.role = r.word("the acting role");
    with();
    fails();
  } else if (r.accept("signal")) {
    step.kind = Step::Kind::kSignal;
    n.event = r.word("the event");
    if (r.accept("by")) n.role = r.word("the role that sends it");
    with();
    fails();
  } else if (r.accept("update")) {
    step.kind = Step::Kind::kUpdate;
    if (auto data = r.record()) step.data = *data;
    n.fields = r.keys();
  } else if (r.accept("cancel")) {
    step.kind = Step::Kind::kCancel;
    if (r.peek() != nullptr) step.contains = r.quoted("the reason");
  } else if (r.accept("nothing")) {
    step.kind = Step::Kind::kNothing;
  } else if (r.accept("expect")) {
    read_expect(r, step, n);
  } else {
    r.diagnostics().error(r.peek() ? r.peek()->range : r.end_range(),
                          "expected complete, signal, update, cancel, nothing or expect");
    return false;
  }
  return true;
}

// "landelijk.scenario:9" for a line written in another file than `home`, "9:" for one in it.
std::string line_label(const SourceRange& line, const SourceRange& home) {
  if (line.file == home.file || !line.file) return fmt::format("{}:", line.begin.line);
  return fmt::format("{}:{}", fs::path(line.file->path()).filename().string(), line.begin.line);
}

// Reads one .scenario file line by line into sections: its `given` set-ups and its scenarios.
// What a line gets wrong is held against the section it belongs to, so that the file's other
// scenarios still run.
class Reader {
 public:
  // `givens`: where this file's set-ups go. `givens_only`: read as an include, whose scenarios
  // are not this reader's business: it stops at the first one.
  Reader(Includes& includes, std::deque<Scenario>& givens, bool givens_only)
      : includes_(includes), givens_(givens), givens_only_(givens_only) {}

  void read(const SourceFilePtr& source);
  // The scenarios read, each checked for a process and a start.
  std::vector<Scenario> scenarios();
  const DiagnosticList& diagnostics() const { return d_; }

 private:
  void line(std::vector<Word> words, const SourceRange& range, std::string_view text);
  void attribute();
  void begin_section(std::deque<Scenario>& into, const std::string& name, const SourceRange& range);
  void include_line(LineReader& r, const SourceRange& range);
  void include(const fs::path& path, const SourceRange& at);
  bool read_included(const fs::path& path, const fs::path& key, const SourceRange& at);
  void make_visible(const Scenario& given, const SourceRange& at);
  void given_line(LineReader& r, const SourceRange& range);
  void use_given(const std::string& name, const SourceRange& name_range, const SourceRange& at);
  void take_in(const Scenario& given, const SourceRange& at);
  void scenario_line(LineReader& r, const SourceRange& range);
  void body_line(LineReader& r, const Word& first, const SourceRange& range, std::string_view text);
  void process_line(LineReader& r, const SourceRange& range);
  void person_line(LineReader& r, const SourceRange& range);
  void start_line(LineReader& r, const SourceRange& range);
  void timeline_line(LineReader& r, const Word& first, const SourceRange& range, std::string_view text);
  // A section's process, persons and start come from its own lines or from a set-up it uses;
  // these say when one does not fit what the section has (`what`: "this line" or the set-up).
  bool set_process(Scenario& s, const Scenario& from, const std::string& what, const SourceRange& at);
  void add_person(Scenario& s, const Person& person, const std::string& what, const SourceRange& at);
  bool may_start(const Scenario& s, const std::string& what, const SourceRange& at);

  Includes& includes_;
  std::deque<Scenario>& givens_;
  bool givens_only_;
  bool stop_ = false;  // an include reached its first scenario
  SourceFilePtr source_;
  DiagnosticList d_;
  int attributed_ = 0;  // errors already held against a section
  std::deque<Scenario> scenarios_;  // a deque: `current_` and `visible_` point into it and givens_
  Scenario* current_ = nullptr;
  bool only_uses_ = false;  // under the current heading, only `given` lines so far
  bool own_lines_ = false;  // the current section has written its own start or timeline line
  bool file_broken_ = false;  // a mistake outside any section: none of the file's sections can run
  std::map<std::string, const Scenario*> visible_;  // the set-ups this file may use, by name
  LegalTime legal_;
};

void Reader::read(const SourceFilePtr& source) {
  source_ = source;
  includes_.reading.push_back(file_key(source->path()));
  lines::for_each_line(source, d_, [&](std::vector<Word> words, const SourceRange& range, std::string_view text) {
    line(std::move(words), range, text);
  });
  attribute();
  includes_.reading.pop_back();
  for (auto& g : givens_) g.broken |= file_broken_;  // before anyone takes them in
}

std::vector<Scenario> Reader::scenarios() {
  std::vector<Scenario> out;
  for (auto& s : scenarios_) {
    s.broken |= file_broken_;
    if (!s.broken) {  // its mistakes are reported where they are
      if (s.process.empty()) d_.error(s.range, fmt::format("scenario \"{}\" names no process: process <name> from \"<file>\"", s.name));
      if (s.event.empty()) d_.error(s.range, fmt::format("scenario \"{}\" has no start line", s.name));
      s.broken = s.process.empty() || s.event.empty();
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Errors since the last call are held against the current section. Called before a line too:
// a line that split() could not read was dropped, and its error belongs to the section it was in.
void Reader::attribute() {
  int errors = d_.error_count();
  if (errors == attributed_) return;
  attributed_ = errors;
  if (stop_) return;  // lines an include skipped: the file's own reading holds them against its scenarios
  if (current_ != nullptr) current_->broken = true;
  else file_broken_ = true;
}

void Reader::line(std::vector<Word> words, const SourceRange& range, std::string_view text) {
  attribute();
  if (stop_) return;
  const Word first = words.front();
  LineReader r(std::move(words), d_, range);
  if (r.accept("include")) include_line(r, range);
  else if (r.accept("given")) given_line(r, range);
  else if (r.accept("scenario")) scenario_line(r, range);
  else if (current_ == nullptr) d_.error(first.range, "a scenario file starts with include, given or scenario lines");
  else body_line(r, first, range, text);
  attribute();
}

void Reader::begin_section(std::deque<Scenario>& into, const std::string& name, const SourceRange& range) {
  Scenario& s = into.emplace_back();
  s.name = name;
  s.range = range;
  current_ = &s;
  only_uses_ = true;
  own_lines_ = false;
}

void Reader::include_line(LineReader& r, const SourceRange& range) {
  auto name = r.quoted("the scenario file to include");
  r.finish();
  if (!name) return;
  if (current_ != nullptr) {
    d_.error(range, "include lines come first in a scenario file, before any given or scenario");
    file_broken_ = true;  // what the include would bring is missing from every section after it
    return;
  }
  include((fs::path(source_->path()).parent_path() / *name).lexically_normal(), range);
}

void Reader::include(const fs::path& path, const SourceRange& at) {
  fs::path key = file_key(path);
  const auto& reading = includes_.reading;
  if (auto cycle = std::find(reading.begin(), reading.end(), key); cycle != reading.end()) {
    std::vector<std::string> chain;
    for (auto it = cycle; it != reading.end(); ++it) chain.push_back(it->filename().string());
    chain.push_back(key.filename().string());
    d_.error(at, fmt::format("this include makes a cycle: {}; a file cannot include itself, directly or through others",
                             fmt::join(chain, " -> ")));
    return;
  }
  if (reading.size() > kIncludeDepth) {
    d_.error(at, fmt::format("includes nest more than {} deep here", kIncludeDepth));
    return;
  }
  if (includes_.givens.count(key) == 0 && !read_included(path, key, at)) return;
  for (const Scenario& given : includes_.givens.at(key)) make_visible(given, at);
}

bool Reader::read_included(const fs::path& path, const fs::path& key, const SourceRange& at) {
  if (includes_.givens.size() >= limits::kFilesPerProgram) {
    d_.error(at, fmt::format("more than {} files are read for this scenario file (limit: files per program)",
                             limits::kFilesPerProgram));
    return false;
  }
  auto text = read_text_file(path);
  if (!text) {
    d_.error(at, fmt::format("cannot read '{}'", path.string()));
    return false;
  }
  Reader nested(includes_, includes_.givens[key], /*givens_only=*/true);
  nested.read(std::make_shared<SourceFile>(path.string(), std::move(*text)));
  for (const auto& diagnostic : nested.diagnostics().all()) includes_.diagnostics.add(diagnostic);
  return true;
}

void Reader::make_visible(const Scenario& given, const SourceRange& at) {
  auto [known, added] = visible_.try_emplace(given.name, &given);
  if (added || known->second == &given) return;
  std::vector<Diagnostic> notes{note(known->second->range, "it is defined here")};
  if (at.file != given.range.file || at.begin != given.range.begin) notes.push_back(note(given.range, "and here"));
  d_.error(at, fmt::format("given \"{}\" is defined twice", given.name), std::move(notes));
}

// `given "name"` right under a `scenario` or `given` heading uses that set-up; before the first
// scenario, anywhere else, it begins one.
void Reader::given_line(LineReader& r, const SourceRange& range) {
  const Word* name_word = r.peek();
  auto name = r.quoted("the given's name");
  r.finish();
  if (current_ != nullptr && only_uses_) {
    if (name) use_given(*name, name_word->range, range);
    return;
  }
  if (!scenarios_.empty()) {
    d_.error(range, "a given line comes right after a scenario's heading (to use a set-up) or before the first scenario "
                    "(to write one)");
    return;
  }
  begin_section(givens_, name.value_or(""), range);
  if (name) make_visible(*current_, range);
}

void Reader::use_given(const std::string& name, const SourceRange& name_range, const SourceRange& at) {
  auto found = visible_.find(name);
  if (found == visible_.end()) {
    if (file_broken_) {  // an include that failed is reported; what it would have brought is missing
      current_->broken = true;
      return;
    }
    std::vector<std::string> names;
    for (const auto& [known, _] : visible_) names.push_back(known);
    d_.error(name_range, fmt::format("there is no given \"{}\" above this line{}; a given is written (or included) "
                                     "before it is used", name, did_you_mean(name, names)));
    return;
  }
  if (found->second == current_) {
    d_.error(name_range, fmt::format("given \"{}\" cannot use itself", name));
    return;
  }
  take_in(*found->second, at);
}

// Puts a set-up's parts into the current section, as if its lines were written here.
void Reader::take_in(const Scenario& given, const SourceRange& at) {
  Scenario& s = *current_;
  if (given.broken) {  // its mistakes are reported where they are written
    s.broken = true;
    return;
  }
  std::string what = fmt::format("given \"{}\"", given.name);
  if (!given.process.empty() && !set_process(s, given, what, at)) return;
  for (const Person& person : given.persons) add_person(s, person, what, at);
  if (!given.start_range.valid()) return;  // a set-up with timeline lines has a start: they count from it
  if (!may_start(s, what, at)) return;
  s.start = given.start;
  s.event = given.event;
  s.data = given.data;
  s.start_fields = given.start_fields;
  s.start_range = given.start_range;
  s.steps.insert(s.steps.end(), given.steps.begin(), given.steps.end());
}

bool Reader::set_process(Scenario& s, const Scenario& from, const std::string& what, const SourceRange& at) {
  if (!s.process.empty() && (s.process != from.process || s.file != from.file)) {
    d_.error(at, fmt::format("{} runs process '{}' from '{}', but '{}' from '{}' is named already; a scenario runs one process",
                             what, from.process, from.file.filename().string(), s.process, s.file.filename().string()),
             {note(s.process_range, "named here")});
    return false;
  }
  s.process = from.process;
  s.file = from.file;
  s.process_range = from.process_range;
  return true;
}

void Reader::add_person(Scenario& s, const Person& person, const std::string& what, const SourceRange& at) {
  for (const Person& known : s.persons) {
    if (known.name.text == person.name.text) {
      d_.error(at, fmt::format("{} declares person '{}' again", what, person.name.text), {note(known.name.range, "declared here")});
      return;
    }
  }
  s.persons.push_back(person);
}

bool Reader::may_start(const Scenario& s, const std::string& what, const SourceRange& at) {
  if (!s.start_range.valid()) return true;
  d_.error(at, fmt::format("{} starts the case, but it has started already; a scenario starts its case once", what),
           {note(s.start_range, "it starts here")});
  return false;
}

void Reader::scenario_line(LineReader& r, const SourceRange& range) {
  if (givens_only_) {  // an include brings set-ups only
    stop_ = true;
    return;
  }
  auto name = r.quoted("the scenario's name");
  r.finish();
  begin_section(scenarios_, name.value_or(""), range);
}

void Reader::body_line(LineReader& r, const Word& first, const SourceRange& range, std::string_view text) {
  only_uses_ = false;
  if (r.accept("process")) process_line(r, range);
  else if (r.accept("person")) person_line(r, range);
  else if (r.accept("start")) start_line(r, range);
  else timeline_line(r, first, range, text);
}

void Reader::process_line(LineReader& r, const SourceRange& range) {
  Scenario line;
  line.process_range = range;
  if (auto name = r.word("the process's name")) line.process = name->text;
  if (r.expect("from")) {
    if (auto path = r.quoted("the process file")) line.file = (fs::path(source_->path()).parent_path() / *path).lexically_normal();
  }
  r.finish();
  if (!line.process.empty()) set_process(*current_, line, "this line", range);
}

// `person NAME [with attribute=value, ...]`, before the section's own start and timeline.
void Reader::person_line(LineReader& r, const SourceRange& range) {
  if (own_lines_) d_.error(range, "person lines come before the start line and the timeline; move it up");
  auto name = r.word("the person's name");
  Person person;
  if (r.accept("with")) {
    if (auto attributes = r.record()) person.attributes = *attributes;
    person.attribute_words = named(r.keys());
  }
  r.finish();
  if (!name) return;
  person.name = named(*name);
  for (const Named& w : person.attribute_words) {
    if (w.text == "id") d_.error(w.range, "a person's id is its name, written after 'person'; it is not an attribute");
  }
  add_person(*current_, person, "this line", range);
}

void Reader::start_line(LineReader& r, const SourceRange& range) {
  Scenario& s = *current_;
  own_lines_ = true;
  if (!may_start(s, "this line", range)) return;
  auto at = r.moment();
  if (!at) return;  // reported; the rest of the line would only repeat it
  s.start = *at;
  s.start_range = range;
  if (r.expect("on")) {
    if (auto event = r.word("the start event")) s.event = event->text;
  }
  if (r.accept("with")) {
    if (auto data = r.record()) s.data = *data;
    s.start_fields = named(r.keys());
  }
  r.finish();
}

void Reader::timeline_line(LineReader& r, const Word& first, const SourceRange& range, std::string_view text) {
  Scenario& s = *current_;
  own_lines_ = true;
  Step step;
  step.range = range;
  step.text = std::string(text.substr(text.find_first_not_of(" \t")));
  auto at = when(r, first, s, legal_);
  if (!at) return;
  step.at = *at;
  if (!s.start_range.valid()) {
    if (!s.broken) d_.error(range, "a timeline line needs the start line above it: start DATE TIME on EVENT");
    return;
  }
  if (!s.steps.empty() && step.at < s.steps.back().at) {
    const Step& before = s.steps.back();
    d_.error(range, fmt::format("this line goes back in time: the line before it ({}:{}) is at {}; a timeline runs forward",
                                fs::path(before.range.file->path()).filename().string(), before.range.begin.line,
                                legal_.format(before.at)));
  } else if (step.at < s.start) {
    d_.error(range, fmt::format("this line goes back in time: the case starts at {}; a timeline runs forward",
                                legal_.format(s.start)));
  }
  Words n;
  if (!read_action(r, step, n)) return;
  r.finish();
  if (n.step) step.step_word = named(*n.step);
  if (n.event) step.event_word = named(*n.event);
  if (n.role) step.role_word = named(*n.role);
  step.field_words = named(n.fields);
  if (n.step) step.name = n.step->text;
  if (n.event) step.name = n.event->text;
  if (n.role) step.role = n.role->text;
  s.steps.push_back(std::move(step));
}

}  // namespace

std::vector<Scenario> parse(const SourceFilePtr& source, DiagnosticList& d) {
  Includes includes;
  Reader reader(includes, includes.givens[file_key(source->path())], /*givens_only=*/false);
  reader.read(source);
  std::vector<Scenario> out = reader.scenarios();
  for (const auto& diagnostic : includes.diagnostics.all()) add_once(d, diagnostic);
  for (const auto& diagnostic : reader.diagnostics().all()) add_once(d, diagnostic);
  return out;
}

namespace {

using TK = model::Type::Kind;

// A name the process must know, with a suggestion when it does not.
void check_known(const Named& w, const std::vector<std::string>& candidates, const char* what,
                 const model::Process& p, DiagnosticList& d) {
  if (std::find(candidates.begin(), candidates.end(), w.text) == candidates.end()) {
    d.error(w.range, fmt::format("process '{}' has no {} '{}'{}", p.name, what, w.text, did_you_mean(w.text, candidates)));
  }
}

std::vector<std::string> names_of(const std::vector<model::Field>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.name);
  return out;
}

// Checks every name a scenario uses against its compiled process.
void check_names(const Scenario& s, const model::Process& p, DiagnosticList& d) {
  auto fields = names_of(p.fields);
  auto known = [&](const Named& w, const std::vector<std::string>& candidates, const char* what) {
    check_known(w, candidates, what, p, d);
  };
  std::vector<std::string> tasks, timers;
  for (const auto& n : p.nodes) {
    if (n.kind == model::NodeKind::kTask) tasks.push_back(n.name);
    if (n.kind == model::NodeKind::kTimer) timers.push_back(n.name);
  }
  for (const auto& w : s.start_fields) known(w, fields, "case field");
  if (std::find(p.events.begin(), p.events.end(), s.event) == p.events.end()) {
    d.error(s.start_range, fmt::format("process '{}' has no event '{}' to start on", p.name, s.event));
  }
  for (const Step& step : s.steps) {
    bool timer = step.kind == Step::Kind::kExpect && step.what == Step::What::kTimer;
    if (step.step_word) known(*step.step_word, timer ? timers : tasks, timer ? "timer" : "task");
    if (step.role_word) known(*step.role_word, p.roles, "role");
    if (step.event_word) known(*step.event_word, p.events, "event");
    if (step.kind == Step::Kind::kComplete && step.step_word) {
      const model::Node* task = p.find_node(step.step_word->text);
      std::vector<std::string> outputs = task != nullptr ? names_of(task->outputs) : std::vector<std::string>{};
      for (const auto& w : step.field_words) known(w, outputs, "output for this task");
    } else {
      for (const auto& w : step.field_words) known(w, fields, "case field");
    }
  }
}

// A person's attributes are those the process declares (`persons { ... }`), with their types.
void check_persons(const Scenario& s, const model::Process& p, DiagnosticList& d) {
  auto attributes = names_of(p.person_attributes);
  for (const Person& person : s.persons) {
    for (const Named& w : person.attribute_words) {
      auto attribute = std::find_if(p.person_attributes.begin(), p.person_attributes.end(),
                                    [&](const model::Field& f) { return f.name == w.text; });
      if (attribute == p.person_attributes.end()) {
        if (attributes.empty()) {
          d.error(w.range, fmt::format("process '{}' has no person attribute '{}': it declares none (persons {{ ... }})",
                                       p.name, w.text));
        } else {
          check_known(w, attributes, "person attribute", p, d);
        }
        continue;
      }
      Json converted;
      if (auto error = runtime::convert_input(attribute->type, person.attributes.at(w.text), converted)) {
        d.error(w.range, fmt::format("person '{}', {}: {}", person.name.text, w.text, *error));
      }
    }
  }
}

// A case starts with every field the process requires (`name: type required`).
void check_required(const Scenario& s, const model::Process& p, DiagnosticList& d) {
  std::vector<std::string> missing, to_add;
  for (const auto& f : p.fields) {
    if (!f.required || s.data.contains(f.name)) continue;
    missing.push_back(f.name);
    to_add.push_back(f.name + "=...");
  }
  if (missing.empty()) return;
  d.error(s.start_range, fmt::format("the start of process '{}' requires {}; add {}", p.name, fmt::join(missing, ", "),
                                     fmt::join(to_add, ", ")));
}

}  // namespace

bool check(const Scenario& s, const model::Process& p, DiagnosticList& diagnostics) {
  DiagnosticList found;
  check_names(s, p, found);
  check_persons(s, p, found);
  check_required(s, p, found);
  for (const auto& diagnostic : found.all()) add_once(diagnostics, diagnostic);
  return !found.has_errors();
}

namespace {

// A text naming a declared person becomes that person: {"id": name, attribute: value, ...}. Any
// other value stays as it is (a person may be known by its id alone).
Json person_or_value(const Json& value, const std::vector<Person>& persons) {
  if (!value.is_string()) return value;
  for (const Person& person : persons) {
    if (person.name.text != value.get_ref<const std::string&>()) continue;
    Json out = person.attributes;
    out["id"] = person.name.text;
    return out;
  }
  return value;
}

// `data` with the persons in its person fields (and lists of persons) filled in.
Json fill_in_persons(Json data, const std::vector<model::Field>& fields, const std::vector<Person>& persons) {
  if (persons.empty() || !data.is_object()) return data;
  for (const auto& f : fields) {
    auto value = data.find(f.name);
    if (value == data.end()) continue;
    if (f.type.kind == TK::kPerson) *value = person_or_value(*value, persons);
    if (f.type.kind == TK::kList && f.type.element == TK::kPerson && value->is_array()) {
      for (Json& element : *value) element = person_or_value(element, persons);
    }
  }
  return data;
}

}  // namespace

Scenario with_persons(Scenario s, const model::Process& p) {
  s.data = fill_in_persons(std::move(s.data), p.fields, s.persons);
  for (Step& step : s.steps) {
    const model::Node* task = step.kind == Step::Kind::kComplete ? p.find_node(step.name) : nullptr;
    if (task != nullptr) step.data = fill_in_persons(std::move(step.data), task->outputs, s.persons);
    if (step.kind == Step::Kind::kUpdate || step.kind == Step::Kind::kSignal) {
      step.data = fill_in_persons(std::move(step.data), p.fields, s.persons);
    }
  }
  return s;
}

namespace {

std::string describe(const Json& audit_entry, const LegalTime& legal) {
  const Json& d = audit_entry.at("detail");
  std::string at = legal.format(*parse_instant(audit_entry.at("at").get<std::string>()));
  std::string what = audit_entry.at("kind");
  for (const char* key : {"step", "role", "timer", "reason", "event", "status", "roles", "message"}) {
    if (d.contains(key)) what += fmt::format(" {}={}", key, d.at(key).is_string() ? d.at(key).get<std::string>() : d.at(key).dump());
  }
  return fmt::format("    {}  {}", at, what);
}

// The compiled process a scenario runs, compiling its file the first time one uses it (its
// mistakes are reported then, once). Nothing when there is none to run.
const model::Process* process_for(const Scenario& s, std::map<std::filesystem::path, Compilation>& compilations,
                                  const std::vector<std::filesystem::path>& stdlib_dirs, DiagnosticList& diagnostics) {
  auto [entry, first] = compilations.try_emplace(s.file);
  Compilation& compiled = entry->second;
  if (first) {
    compiled = compile_paths({s.file.string()}, stdlib_dirs);
    for (const auto& path : compiled.unreadable) diagnostics.error(s.process_range, fmt::format("cannot read '{}'", path));
    for (const auto& diag : compiled.diagnostics.all()) diagnostics.add(diag);
  }
  const model::Process* process = compiled.model->find(s.process);
  if (process == nullptr && compiled.unreadable.empty() && !compiled.diagnostics.has_errors()) {
    add_once(diagnostics, Diagnostic{Severity::kError, s.process_range,
                                     fmt::format("'{}' declares no process '{}'", s.file.string(), s.process), {}});
  }
  return process;
}

void remove_store(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

// Runs one checked scenario on a fresh store at `db`.
Outcome run_one(const Scenario& s, const std::vector<std::filesystem::path>& stdlib_dirs, const std::string& db) {
  Outcome outcome;
  outcome.scenario = s.name;
  VirtualClock clock(s.start);
  auto opened = Engine::open(EngineOptions{db, &clock, stdlib_dirs});
  if (!opened.is_ok()) {
    outcome.passed = false;
    outcome.failures.push_back(opened.status().message());
    return outcome;
  }
  Engine& engine = *opened.value();
  engine.deploy({s.file.string()});
  const LegalTime& legal = engine.legal();
  auto fail = [&](const Step& step, const std::string& message) {
    outcome.passed = false;
    outcome.failures.push_back(fmt::format("{}: {}", step.range.location(), message));
  };
  Result<CaseId> started = engine.start_case(s.process, s.data, s.event);
  if (!started.is_ok()) {
    outcome.passed = false;
    outcome.failures.push_back(fmt::format("{}: the case did not start: {}", s.start_range.location(), started.status().message()));
    return outcome;
  }
  CaseId id = *started;
  std::size_t seen = 0;
  auto catch_up = [&] {
    Json audit = engine.audit(id);
    for (; seen < audit.size(); ++seen) outcome.timeline.push_back(describe(audit[seen], legal));
  };
  catch_up();
  for (const auto& step : s.steps) {
    engine.run_until(clock, step.at);
    catch_up();
    outcome.timeline.push_back(fmt::format("  {}  {}", line_label(step.range, s.range), step.text));
    const runtime::Instance* c = engine.runtime().find_case(id);
    auto open_task = [&]() -> const runtime::Task* {
      if (c == nullptr) return nullptr;
      for (const auto& [_, t] : c->tasks) {
        if (t.name == step.name) return &t;
      }
      return nullptr;
    };
    auto refused_with = [&](const Status& status) {
      if (step.fails) {
        if (status.is_ok()) fail(step, fmt::format("expected a refusal with \"{}\", but it was accepted", *step.fails));
        else if (status.message().find(*step.fails) == std::string::npos)
          fail(step, fmt::format("refused, but with \"{}\"", status.message()));
      } else if (!status.is_ok()) {
        fail(step, fmt::format("refused: {}", status.message()));
      }
    };
    switch (step.kind) {
      case Step::Kind::kComplete: {
        const runtime::Task* t = open_task();
        if (t == nullptr) {
          fail(step, fmt::format("there is no open task '{}' to complete", step.name));
          break;
        }
        refused_with(engine.complete_task(t->id, step.role, step.data));
        break;
      }
      case Step::Kind::kSignal: refused_with(engine.signal(id, step.name, step.data, "", step.role)); break;
      case Step::Kind::kUpdate: refused_with(engine.update_case(id, step.data)); break;
      case Step::Kind::kCancel: refused_with(engine.cancel_case(id, step.contains.value_or("cancelled"))); break;
      case Step::Kind::kNothing: break;
      case Step::Kind::kExpect: {
        store::TaskQuery all;
        all.case_id = id;
        all.open_only = false;
        Json cases = engine.cases();
        Json this_case;
        for (const auto& row : cases) {
          if (row.at("id") == id) this_case = row;
        }
        switch (step.what) {
          case Step::What::kTaskOpen: {
            const runtime::Task* t = open_task();
            if (t == nullptr) {
              fail(step, fmt::format("expected task '{}' open, but it is not", step.name));
            } else if (!step.role.empty() && t->role != step.role) {
              fail(step, fmt::format("expected task '{}' open for {}, but it is for {}", step.name, step.role, t->role));
            } else if (step.due && legal.format(*step.due) != legal.format(t->due.at)) {
              fail(step, fmt::format("expected task '{}' due {}, but it is due {}", step.name, legal.format(*step.due),
                                     legal.format(t->due.at)));
            }
            break;
          }
          case Step::What::kTaskDone:
          case Step::What::kTaskCancelled: {
            const char* status = step.what == Step::What::kTaskDone ? "completed" : "cancelled";
            bool found = false;
            for (const auto& t : engine.tasks(all)) found |= t.at("step") == step.name && t.at("status") == status;
            if (!found) fail(step, fmt::format("expected task '{}' {}, but it is not", step.name, status));
            break;
          }
          case Step::What::kTaskAbsent:
            if (open_task() != nullptr) fail(step, fmt::format("expected no open task '{}', but there is one", step.name));
            break;
          case Step::What::kTaskNever:
            break;  // checked once the whole timeline has run
          case Step::What::kTimer: {
            bool ok = false;
            std::string actual = "not set";
            if (c != nullptr && c->named_timers.count(step.name) != 0) {
              auto timer = c->timers.find(c->named_timers.at(step.name));
              if (timer != c->timers.end()) {
                actual = legal.format(timer->second.due.at);
                ok = step.due && actual == legal.format(*step.due);
              }
            }
            if (!ok) fail(step, fmt::format("expected timer '{}' at {}, but it is {}", step.name,
                                            step.due ? legal.format(*step.due) : "?", actual));
            break;
          }
          case Step::What::kLevel: {
            int level = this_case.is_null() ? 0 : this_case.at("level").get<int>();
            if (level != step.level) fail(step, fmt::format("expected level {}, but it is {}", step.level, level));
            break;
          }
          case Step::What::kNotified: {
            bool found = false;
            for (const auto& n : engine.outbox()) {
              if (n.at("case") != id) continue;
              bool to_role = false;
              for (const auto& r : n.at("roles")) to_role |= r == step.role;
              found |= to_role && (!step.contains || n.at("message").get<std::string>().find(*step.contains) != std::string::npos);
            }
            if (!found) fail(step, fmt::format("expected a notification to {}{}, but there is none", step.role,
                                               step.contains ? " saying \"" + *step.contains + "\"" : ""));
            break;
          }
          case Step::What::kRefused: {
            bool found = false;
            for (const auto& e : engine.audit(id)) {
              found |= e.at("kind") == "refused" &&
                       e.at("detail").at("reason").get<std::string>().find(*step.contains) != std::string::npos;
            }
            if (!found) fail(step, fmt::format("expected a refusal saying \"{}\", but there is none", *step.contains));
            break;
          }
          case Step::What::kEnded: {
            if (this_case.is_null() || this_case.at("status") == "running") {
              fail(step, "expected the case to have ended, but it is running");
            } else if (step.contains &&
                       this_case.at("end_reason").get<std::string>().find(*step.contains) == std::string::npos) {
              fail(step, fmt::format("expected it to end with \"{}\", but it ended with \"{}\"", *step.contains,
                                     this_case.at("end_reason").get<std::string>()));
            }
            break;
          }
          case Step::What::kRunning:
            if (c == nullptr) fail(step, "expected the case to be running, but it has ended");
            break;
        }
        break;
      }
    }
    catch_up();
  }
  store::TaskQuery every;
  every.case_id = id;
  every.open_only = false;
  Json opened_tasks = engine.tasks(every);
  for (const auto& step : s.steps) {
    if (step.kind != Step::Kind::kExpect || step.what != Step::What::kTaskNever) continue;
    for (const auto& t : opened_tasks) {
      if (t.at("step") == step.name) {
        fail(step, fmt::format("expected task '{}' never to open, but it opened at {}", step.name,
                               t.at("opened").get<std::string>()));
        break;
      }
    }
  }
  engine.verify_audit();
  return outcome;
}

}  // namespace

std::vector<Outcome> run(const std::vector<Scenario>& scenarios, const std::vector<std::filesystem::path>& stdlib_dirs,
                         const std::filesystem::path& work_dir, DiagnosticList& diagnostics) {
  std::vector<Outcome> outcomes;
  int counter = 0;
  // Each process file is compiled once, and its mistakes reported once, however many scenarios use it.
  std::map<std::filesystem::path, Compilation> compilations;
  for (const auto& written : scenarios) {
    if (written.broken) continue;
    const model::Process* process = process_for(written, compilations, stdlib_dirs, diagnostics);
    if (process == nullptr || !check(written, *process, diagnostics)) continue;
    std::string db = (work_dir / fmt::format("scenario-{}-{}.db", ::getpid(), ++counter)).string();
    remove_store(db);  // one an earlier run with the same process id left
    outcomes.push_back(run_one(with_persons(written, *process), stdlib_dirs, db));
    remove_store(db);
  }
  return outcomes;
}

}  // namespace termijn::scenario
