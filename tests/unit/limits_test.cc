// Every limit of engine/base/limits.h, as SQLite's sqllimits1.test does: at the limit the input
// is accepted, one over it is refused with a located error that names the limit.
#include "engine/base/limits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/base/duration.h"
#include "engine/frontend/line_reader.h"
#include "engine/frontend/parser.h"
#include "engine/runtime/evaluator.h"
#include "engine/runtime/runtime.h"
#include "engine/scenario/scenario.h"
#include "test_support.h"

namespace termijn {
namespace {

using Json = nlohmann::json;

using testing::parse_errors;

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A process whose one timer is the expression `e`.
std::string with_expression(const std::string& e) { return "process p {\n  timer t = " + e + "\n}\n"; }

TEST(Limits, SourceBytes) {
  std::string comment = "// " + repeat("x", limits::kSourceBytes - 4) + "\n";
  ASSERT_EQ(comment.size(), limits::kSourceBytes);
  EXPECT_EQ(parse_errors(comment), "");
  std::string text = parse_errors(comment + " ");
  EXPECT_NE(text.find("t.wth:2:1: error: the file is 1048577 bytes; at most 1048576 are read (limit: source bytes)"),
            std::string::npos)
      << text.substr(0, 300);
}

TEST(Limits, SourceNesting) {
  auto nested = [](int levels) {
    return with_expression(repeat("(", static_cast<std::size_t>(levels)) + "1 days" +
                           repeat(")", static_cast<std::size_t>(levels)) + " + now");
  };
  // The process's own braces count: one level for `process p {`.
  EXPECT_EQ(parse_errors(nested(limits::kSourceNesting - 1)), "");
  std::string text = parse_errors(nested(limits::kSourceNesting));
  EXPECT_NE(text.find(fmt::format("t.wth:2:{}: error: more than 64 levels of '{{ }}' and '( )' inside each other "
                                  "(limit: source nesting)",
                                  13 + limits::kSourceNesting - 1)),
            std::string::npos)
      << text;
  // A hundred thousand levels: refused as quickly, without the parser recursing into them.
  EXPECT_NE(parse_errors(nested(100'000)).find("(limit: source nesting)"), std::string::npos);
}

TEST(Limits, ParseDepthBoundsLongExpressionsAndStepNesting) {
  // `now + 1 days + 1 days + ...` is a left-deep tree: one level of the parse per `+`.
  auto chain = [](int terms) { return with_expression("now" + repeat(" + 1 days", static_cast<std::size_t>(terms))); };
  EXPECT_EQ(parse_errors(chain(200)), "");
  std::string text = parse_errors(chain(100'000));
  EXPECT_NE(text.find("t.wth:2:13: error: this nests too deeply: more than 256 levels"), std::string::npos) << text;
  EXPECT_NE(text.find("(limit: parse depth)"), std::string::npos);
  // `not not not ... x` recurses on the right.
  EXPECT_NE(parse_errors(with_expression(repeat("not ", 100'000) + "true")).find("(limit: parse depth)"), std::string::npos);
}

TEST(Limits, SyntaxRecoveriesStopGarbage) {
  // Half a megabyte of tokens that are each an error: one error reported, and the parse stops.
  std::string text = parse_errors("process p {\n" + repeat("} ) , = ", 60'000) + "\n}\n");
  EXPECT_NE(text.find("t.wth:2:3: error: unexpected ')'"), std::string::npos) << text.substr(0, 300);
  EXPECT_EQ(std::count(text.begin(), text.end(), '^'), 1) << "one error per file";
}

TEST(Limits, DurationInTheLanguage) {
  EXPECT_EQ(parse_errors(with_expression(fmt::format("now + {} days", limits::kDurationDays))), "");
  std::string text = parse_errors(with_expression(fmt::format("now + {} days", limits::kDurationDays + 1)));
  EXPECT_NE(text.find("t.wth:2:19: error: 36601 days is longer than a term can be: at most 36600 days (limit: duration)"),
            std::string::npos)
      << text;
  // Beyond 64 bits: a number too large, never a wrapped one.
  EXPECT_NE(parse_errors(with_expression("now + 99999999999999999999 days")).find("number '99999999999999999999' is too large"),
            std::string::npos);
  // In 64 bits, but not once converted to the unit's minutes, days or months: refused the same way
  // (the wth fuzzer's finding of 2026-12-04 wrapped here, in make_duration).
  for (const char* unit : {"hours", "weeks", "years"}) {
    std::string e = fmt::format("now + 555555555555555555 {}", unit);
    EXPECT_NE(parse_errors(with_expression(e)).find("is longer than a term can be"), std::string::npos) << e;
  }
}

// A version and an escalation level are ints: 2^32 + 1 is refused, never read as 1.
TEST(Limits, VersionsAndLevelsInTheLanguage) {
  EXPECT_EQ(parse_errors("process p version 2147483647 {\n}\n"), "");
  EXPECT_NE(parse_errors("process p version 4294967297 {\n}\n").find("number '4294967297' is too large: at most 2147483647"),
            std::string::npos);
  std::string rung =
      "process p {\n  task t \"T\" by r within 1 day {\n    escalate {\n      1 hour after due: raise level 4294967297\n"
      "    }\n  }\n}\n";
  EXPECT_NE(parse_errors(rung).find("t.wth:4:37: error: number '4294967297' is too large"), std::string::npos)
      << parse_errors(rung);
}

TEST(Limits, DurationArithmeticDoesNotWrap) {
  Duration d{DurationKind::kCalendar, 0, 1000, 0};
  EXPECT_TRUE(within_limits(scale(d, 36)));
  EXPECT_FALSE(within_limits(scale(d, 37)));
  EXPECT_FALSE(within_limits(scale(d, INT64_MAX))) << "overflow lies outside the limits";
  EXPECT_FALSE(within_limits(*add(Duration{DurationKind::kClock, 0, 0, INT64_MAX}, Duration{DurationKind::kClock, 0, 0, 1})));
}

std::optional<Json> read_value(const std::string& line, DiagnosticList& d) {
  auto source = std::make_shared<SourceFile>("t.scenario", line);
  std::optional<Json> out;
  lines::for_each_line(source, d, [&](std::vector<lines::Word> words, const SourceRange& range, std::string_view) {
    lines::LineReader r(std::move(words), d, range);
    out = r.value();
  });
  return out;
}

TEST(Limits, JsonNestingOfValuesInLineFiles) {
  auto list = [](int depth) {
    return repeat("[", static_cast<std::size_t>(depth)) + "1" + repeat("]", static_cast<std::size_t>(depth));
  };
  DiagnosticList d;
  EXPECT_TRUE(read_value(list(limits::kJsonNesting), d).has_value()) << render(d);
  EXPECT_FALSE(read_value(list(limits::kJsonNesting + 1), d).has_value());
  EXPECT_NE(render(d).find("t.scenario:1:33: error: lists nest more than 32 deep here (limit: JSON nesting)"),
            std::string::npos)
      << render(d);
  DiagnosticList deep;
  EXPECT_FALSE(read_value(list(200'000), deep).has_value()) << "no recursion without bound";
}

TEST(Limits, ListElementsInLineFiles) {
  auto list = [](std::size_t n) {
    std::string out = "[1";
    for (std::size_t i = 1; i < n; ++i) out += ",1";
    return out + "]";
  };
  DiagnosticList d;
  EXPECT_TRUE(read_value(list(limits::kListElements), d).has_value()) << render(d);
  EXPECT_FALSE(read_value(list(limits::kListElements + 1), d).has_value());
  EXPECT_NE(render(d).find("(limit: list elements)"), std::string::npos) << render(d);
}

// Case data through the runtime's one door for values from outside.
std::optional<std::string> convert(const model::Type& type, const Json& in) {
  Json out;
  return runtime::convert_input(type, in, out);
}

TEST(Limits, ValuesInCaseData) {
  model::Type person = model::Type::of(model::Type::Kind::kPerson);
  // At the limit a value is judged by its type (a person has no attribute 'x'); one over, by the limit.
  Json nested = 1;
  for (int i = 1; i < limits::kJsonNesting; ++i) nested = Json{{"id", "p"}, {"x", nested}};
  EXPECT_EQ(convert(person, nested).value_or("").find("(limit: JSON nesting)"), std::string::npos);
  EXPECT_NE(convert(person, nested).value_or("").find("no attribute 'x'"), std::string::npos);
  EXPECT_NE(convert(person, Json{{"x", nested}}).value_or("").find("(limit: JSON nesting)"), std::string::npos);

  model::Type text = model::Type::of(model::Type::Kind::kText);
  EXPECT_EQ(convert(text, std::string(limits::kStringBytes, 'a')), std::nullopt);
  EXPECT_NE(convert(text, std::string(limits::kStringBytes + 1, 'a')).value_or("").find("(limit: string bytes)"),
            std::string::npos);

  Json big_list = Json::array();
  for (std::size_t i = 0; i <= limits::kListElements; ++i) big_list.push_back("p");
  EXPECT_NE(convert(person, Json{{"kinderen", big_list}}).value_or("").find("(limit: list elements)"), std::string::npos);
}

TEST(Limits, NumbersMomentsAndDurationsInCaseData) {
  model::Type whole = model::Type::of(model::Type::Kind::kInt);
  EXPECT_EQ(convert(whole, Json(INT64_MAX)), std::nullopt);
  EXPECT_EQ(convert(whole, Json(static_cast<std::uint64_t>(INT64_MAX) + 1)), "the number is too large");
  model::Type moment = model::Type::of(model::Type::Kind::kDateTime);
  EXPECT_EQ(convert(moment, "2026-10-20T14:35:00+02:00"), std::nullopt);
  EXPECT_EQ(convert(moment, Json(INT64_MAX)), "expected a moment between the years 1900 and 2200");
  model::Type days = model::Type::of(model::Type::Kind::kDays);
  EXPECT_EQ(convert(days, "28 days"), std::nullopt);
  EXPECT_EQ(convert(days, "99999999999999999999 days"), "expected a duration such as \"10 days\"");
  EXPECT_EQ(convert(days, "36601 days"), "a duration of at most 36600 days");
  model::Type hours = model::Type::of(model::Type::Kind::kHours);
  EXPECT_EQ(convert(hours, "555555555555555555 hours"), "a duration of at most 36600 days");
  EXPECT_EQ(convert(days, "555555555555555555 weeks"), "a duration of at most 36600 days");
}

TEST(Limits, CaseDataBytes) {
  testing::Compiled c = testing::compile_text(R"(
process p {
  roles hovj
  events melding
  case { a: text  b: text  c: text  d: text  e: text }
  start on melding
  task t by hovj within 1 days
}
)");
  const model::Process& p = c.process("p");
  LegalTime legal;
  runtime::Runtime engine(legal);
  engine.add_definition(c.model->processes.front());
  Json data;
  for (const char* field : {"a", "b", "c"}) data[field] = std::string(limits::kStringBytes, 'x');
  runtime::Changes changes;
  EXPECT_TRUE(engine.start(p.name, "melding", data, Instant{}, changes).is_ok()) << "three fields of 64 KiB fit";
  data["d"] = std::string(limits::kStringBytes, 'x');
  runtime::Changes more;
  auto refused = engine.start(p.name, "melding", data, Instant{}, more);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("(limit: case data bytes)"), std::string::npos) << refused.status().message();
}

TEST(Limits, StepsPerCommand) {
  testing::Compiled c = testing::compile_text(R"(
process rondje {
  roles hovj
  events melding
  case { n: int }
  start on melding
  opnieuw: set n = n + 1
  goto opnieuw
}
)");
  ASSERT_NE(c.model->find("rondje"), nullptr) << c.errors();
  LegalTime legal;
  runtime::Runtime engine(legal);
  engine.add_definition(c.model->processes.front());
  runtime::Changes changes;
  auto refused = engine.start("rondje", "melding", Json{{"n", 0}}, Instant{}, changes);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("took more than 100000 steps without waiting (limit: steps per command)"),
            std::string::npos)
      << refused.status().message();
}

// A process of one start and milestones: `steps` steps in all.
std::string process_of_steps(std::size_t steps) {
  std::string text = "process p {\n  events e\n  start on e\n";
  for (std::size_t i = 1; i < steps; ++i) text += fmt::format("  milestone m{}\n", i);
  return text + "}\n";
}

TEST(Limits, StepsPerProcess) {
  testing::Compiled at = testing::compile_text(process_of_steps(limits::kStepsPerProcess));
  ASSERT_NE(at.model, nullptr) << at.errors();
  EXPECT_EQ(at.process("p").nodes.size(), limits::kStepsPerProcess);
  testing::Compiled over = testing::compile_text(process_of_steps(limits::kStepsPerProcess + 1));
  EXPECT_EQ(over.model == nullptr ? nullptr : over.model->find("p"), nullptr);
  EXPECT_NE(over.errors().find("test.wth:1:9: error: process 'p' has 2001 steps once its stages, branches and starts "
                               "are counted; at most 2000 are checked (limit: steps per process)"),
            std::string::npos)
      << over.errors().substr(0, 300);
}

// A chain of `n` processes, each extending the one before: declared from the base up, or from the
// far end down (each variant before its parent, so that resolving one resolves all below it).
std::string chain_of(std::size_t n, bool far_end_first) {
  std::vector<std::string> decls{"process v1 {\n  roles r\n  events e\n  start on e\n  task t by r within 1 day\n}\n"};
  for (std::size_t i = 2; i <= n; ++i) decls.push_back(fmt::format("process v{} extends v{} {{}}\n", i, i - 1));
  if (far_end_first) std::reverse(decls.begin(), decls.end());
  std::string text;
  for (const auto& d : decls) text += d;
  return text;
}

TEST(Limits, ExtendsDepth) {
  for (bool far_end_first : {false, true}) {
    testing::Compiled at = testing::compile_text(chain_of(limits::kExtendsDepth, far_end_first));
    ASSERT_FALSE(at.diagnostics.has_errors()) << at.errors().substr(0, 300);
    EXPECT_EQ(at.model->processes.size(), limits::kExtendsDepth);
    testing::Compiled over = testing::compile_text(chain_of(limits::kExtendsDepth + 1, far_end_first));
    EXPECT_NE(over.errors().find("ends a chain of more than 64 processes that extend each other, which is not "
                                 "checked (limit: extends depth)"),
              std::string::npos)
        << over.errors().substr(0, 300);
    EXPECT_EQ(over.model->find("v65"), nullptr);
  }
  // Far past it, from the far end (a 1 MiB file's worth overflowed the stack): located errors.
  testing::Compiled deep = testing::compile_text(chain_of(30'000, true));
  EXPECT_TRUE(deep.diagnostics.has_errors());
  EXPECT_EQ(deep.model->find("v30000"), nullptr);
}

TEST(Limits, FilesPerProgram) {
  // A chain of imports longer than the limit: each file imports the next.
  std::map<std::string, std::string> files;
  for (std::size_t i = 0; i <= limits::kFilesPerProgram; ++i) files[fmt::format("f{}.wth", i)] = fmt::format("import \"f{}.wth\"\n", i + 1);
  ProgramLoader loader({TERMIJN_STDLIB_DIR});
  loader.use_sources(files, true);
  DiagnosticList d;
  loader.add_text("f0.wth", files["f0.wth"], d);
  EXPECT_NE(render(d).find("a program may have at most 256 files (limit: files per program)"), std::string::npos)
      << render(d).substr(0, 300);
}

}  // namespace
}  // namespace termijn
