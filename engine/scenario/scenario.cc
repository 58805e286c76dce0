// Reading .scenario files: the line-based reader of scenarios, their `given` set-ups, the files
// they include and the persons they name. Checking a scenario against its process and running it
// is scenario_run.cc's part.
#include "engine/scenario/scenario.h"

#include <fmt/format.h>

#include <deque>
#include <map>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/numbers.h"
#include "engine/frontend/line_reader.h"
#include "engine/scenario/internal/report_once.h"
#include "engine/time/legal_time.h"

namespace termijn::scenario {

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

// What one parse() shares with the files it includes.
struct Includes {
  std::vector<fs::path> reading;                    // the files being read, outermost first
  std::map<fs::path, std::deque<Scenario>> givens;  // each file's own set-ups; a file is read once
  DiagnosticList diagnostics;                       // the mistakes in included files
  // The memory each section's lines take (estimated: limits.h), its set-ups' counted each time
  // they are taken in, and their sum over every section read: at most limits::kScenarioMemory.
  std::map<const Scenario*, std::size_t> memory;
  std::size_t total_memory = 0;
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
    d.error(first.range, tr("unknown line '{}': expected include, given, scenario, process, person, start, "
                            "'day N' or 'at DATE'", first.text));
    return std::nullopt;
  }
  auto number = r.word("a day number");
  // A case's timeline spans years, not centuries; the bound keeps date arithmetic exact.
  constexpr int kLastDay = 100 * 366;
  std::optional<int> day = number ? parse_int_in(number->text, 0, kLastDay) : std::nullopt;
  if (!day) {
    if (number) d.error(number->range, tr("expected a day number from 0 to {}, as in: day 8 14:35", kLastDay));
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
    else d.error(r.peek() ? r.peek()->range : r.end_range(), tr("expected open, done, cancelled, absent or never"));
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
    else if (number) d.error(number->range, tr("expected a level from 0 to {}", kHighestLevel));
  } else if (r.accept("notified")) {
    step.what = Step::What::kNotified;
    // `expect notified person sanne "..."`: a person of the case, by its id, rather than a role.
    if (r.accept("person")) {
      if (auto person = r.word("the person's id")) step.person = person->text;
    } else {
      n.role = r.word("the role");
    }
    // `expect notified hovj "..." never`: checked once the whole timeline has run.
    if (r.accept("never")) {
      step.what = Step::What::kNotifiedNever;
    } else if (r.peek() != nullptr) {
      step.contains = r.quoted("the text the message contains");
      if (r.accept("never")) step.what = Step::What::kNotifiedNever;
    }
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
            tr("expected task, timer, level, notified, refused, ended or running after 'expect'"));
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
                          tr("expected complete, signal, update, cancel, nothing or expect"));
    return false;
  }
  return true;
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
  // Counts `memory` more into the current section; false, reported, past the limit.
  bool hold(std::size_t memory, const SourceRange& at);

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
      if (s.process.empty()) d_.error(s.range, tr("scenario \"{}\" names no process: process <name> from \"<file>\"", s.name));
      if (s.event.empty()) d_.error(s.range, tr("scenario \"{}\" has no start line", s.name));
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
  else if (current_ == nullptr) d_.error(first.range, tr("a scenario file starts with include, given or scenario lines"));
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
    d_.error(range, tr("include lines come first in a scenario file, before any given or scenario"));
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
    d_.error(at, tr("this include makes a cycle: {}; a file cannot include itself, directly or through others",
                    fmt::join(chain, " -> ")));
    return;
  }
  if (reading.size() > limits::kIncludeDepth) {
    d_.error(at, tr("includes nest more than {} deep here (limit: include depth)", limits::kIncludeDepth));
    return;
  }
  if (includes_.givens.count(key) == 0 && !read_included(path, key, at)) return;
  for (const Scenario& given : includes_.givens.at(key)) make_visible(given, at);
}

bool Reader::read_included(const fs::path& path, const fs::path& key, const SourceRange& at) {
  if (includes_.givens.size() >= limits::kFilesPerProgram) {
    d_.error(at, tr("more than {} files are read for this scenario file (limit: files per program)",
                    limits::kFilesPerProgram));
    return false;
  }
  auto text = read_text_file(path);
  if (!text) {
    d_.error(at, tr("cannot read '{}'", path.string()));
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
  std::vector<Diagnostic> notes{note(known->second->range, tr("it is defined here"))};
  if (at.file != given.range.file || at.begin != given.range.begin) notes.push_back(note(given.range, tr("and here")));
  d_.error(at, tr("given \"{}\" is defined twice", given.name), std::move(notes));
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
    d_.error(range, tr("a given line comes right after a scenario's heading (to use a set-up) or before the first scenario "
                       "(to write one)"));
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
    d_.error(name_range, tr("there is no given \"{}\" above this line{}; a given is written (or included) "
                            "before it is used", name, did_you_mean(name, names)));
    return;
  }
  if (found->second == current_) {
    d_.error(name_range, tr("given \"{}\" cannot use itself", name));
    return;
  }
  take_in(*found->second, at);
}

// The memory a line of a section takes, as limits::kScenarioMemory estimates it.
std::size_t line_memory(std::string_view text) { return sizeof(Step) + 16 * text.size(); }

// A set-up taken in is copied into each section that uses it, and set-ups take in others: a
// file of 1 MiB could make gigabytes of steps (one given with a 5,000-field line, used by 1,600
// scenarios, made 684 MB). What every section holds is counted, and reading stops past the limit.
bool Reader::hold(std::size_t memory, const SourceRange& at) {
  if (includes_.total_memory + memory > limits::kScenarioMemory) {
    d_.error(at, tr("with the givens they take in, the scenarios here would take more than {} MiB of memory "
                    "(limit: scenario memory); take in fewer givens, or split the file",
                    limits::kScenarioMemory >> 20));
    stop_ = true;
    file_broken_ = true;
    return false;
  }
  includes_.memory[current_] += memory;
  includes_.total_memory += memory;
  return true;
}

// Puts a set-up's parts into the current section, as if its lines were written here.
void Reader::take_in(const Scenario& given, const SourceRange& at) {
  Scenario& s = *current_;
  if (given.broken) {  // its mistakes are reported where they are written
    s.broken = true;
    return;
  }
  if (!hold(includes_.memory[&given], at)) return;
  std::string what = fmt::format("given \"{}\"", given.name);
  if (!given.process.empty() && !set_process(s, given, what, at)) return;
  for (const Person& person : given.persons) add_person(s, person, what, at);
  if (!given.start_range.valid()) return;  // a set-up with timeline lines has a start: they count from it
  if (!may_start(s, what, at)) return;
  s.start = given.start;
  s.event = given.event;
  s.data = given.data;
  s.start_fields = given.start_fields;
  s.start_fails = given.start_fails;
  s.start_range = given.start_range;
  s.steps.insert(s.steps.end(), given.steps.begin(), given.steps.end());
}

bool Reader::set_process(Scenario& s, const Scenario& from, const std::string& what, const SourceRange& at) {
  if (!s.process.empty() && (s.process != from.process || s.file != from.file)) {
    d_.error(at, tr("{} runs process '{}' from '{}', but '{}' from '{}' is named already; a scenario runs one process",
                    what, from.process, from.file.filename().string(), s.process, s.file.filename().string()),
             {note(s.process_range, tr("named here"))});
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
      d_.error(at, tr("{} declares person '{}' again", what, person.name.text), {note(known.name.range, tr("declared here"))});
      return;
    }
  }
  s.persons.push_back(person);
}

bool Reader::may_start(const Scenario& s, const std::string& what, const SourceRange& at) {
  if (!s.start_range.valid()) return true;
  d_.error(at, tr("{} starts the case, but it has started already; a scenario starts its case once", what),
           {note(s.start_range, tr("it starts here"))});
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
  if (!hold(line_memory(text), range)) return;
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
  if (!line.process.empty()) set_process(*current_, line, tr("this line"), range);
}

// `person NAME [with attribute=value, ...]`, before the section's own start and timeline.
void Reader::person_line(LineReader& r, const SourceRange& range) {
  if (own_lines_) d_.error(range, tr("person lines come before the start line and the timeline; move it up"));
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
    if (w.text == "id") d_.error(w.range, tr("a person's id is its name, written after 'person'; it is not an attribute"));
  }
  add_person(*current_, person, tr("this line"), range);
}

void Reader::start_line(LineReader& r, const SourceRange& range) {
  Scenario& s = *current_;
  own_lines_ = true;
  if (!may_start(s, tr("this line"), range)) return;
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
  if (r.accept("fails")) s.start_fails = r.quoted("the reason the start is refused");
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
    if (!s.broken) d_.error(range, tr("a timeline line needs the start line above it: start DATE TIME on EVENT"));
    return;
  }
  if (s.start_fails) {
    d_.error(range, tr("the start line says the start fails: there is no case for a timeline to run on"));
    return;
  }
  if (!s.steps.empty() && step.at < s.steps.back().at) {
    const Step& before = s.steps.back();
    d_.error(range, tr("this line goes back in time: the line before it ({}:{}) is at {}; a timeline runs forward",
                       fs::path(before.range.file->path()).filename().string(), before.range.begin.line,
                       legal_.format(before.at)));
  } else if (step.at < s.start) {
    d_.error(range, tr("this line goes back in time: the case starts at {}; a timeline runs forward",
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

}  // namespace termijn::scenario
