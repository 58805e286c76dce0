// The tooling under the language server and `check --format`: checking each kind of file,
// diagnostics as JSON and SARIF, and the index of names over the shipped processes.
#include <gtest/gtest.h>

#include "engine/tooling/diagnostic_formats.h"
#include "engine/tooling/document_check.h"
#include "engine/tooling/hover.h"
#include "engine/tooling/symbol_index.h"

namespace termijn::tooling {
namespace {

const std::string kSource = TERMIJN_SOURCE_DIR;
const std::vector<std::filesystem::path> kStdlib = {TERMIJN_SOURCE_DIR "/stdlib"};

SourcePos position_of(const SourceFile& file, const std::string& needle, int offset = 0) {
  auto at = file.text().find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return file.position(at + static_cast<std::size_t>(offset));
}

TEST(DocumentCheck, ChecksEachKindOfFileAndSeesUnsavedTexts) {
  for (const char* file : {"/processes/rotterdam.wth", "/processes/scenarios/rotterdam.scenario", "/examples/simulation/care_models.sim"}) {
    DocumentCheck c = check_document(kSource + file, kStdlib);
    EXPECT_TRUE(c.source) << file;
    EXPECT_EQ(c.diagnostics.error_count(), 0) << file << "\n" << render(c.diagnostics);
  }
  // The scenario runs the process as the editor holds it, saved or not.
  std::string process = kSource + "/processes/rotterdam.wth";
  std::string text = check_document(process, kStdlib).source->text();
  std::string renamed = text;
  for (auto at = renamed.find("weegteam_beoordeling"); at != std::string::npos; at = renamed.find("weegteam_beoordeling", at)) {
    renamed.replace(at, 20, "weegteam_oordeel");
  }
  DocumentCheck c = check_document(kSource + "/processes/scenarios/rotterdam.scenario", kStdlib, {{process, renamed}});
  EXPECT_GT(c.diagnostics.error_count(), 0);
  EXPECT_NE(render(c.diagnostics).find("weegteam_beoordeling"), std::string::npos) << render(c.diagnostics);
  EXPECT_EQ(check_document(kSource + "/README.md", kStdlib).format, Format::kOther);
}

DiagnosticList typo_diagnostics() {
  auto file = std::make_shared<SourceFile>("regio/zorg.wth", "process x {\n  // één\n  task t by hovjj\n}\n");
  DiagnosticList list;
  SourceRange range{file, {3, 13}, {3, 18}};
  list.error(range, "unknown role 'hovjj' (did you mean 'hovj'?)", {note(SourceRange{file, {1, 9}, {1, 10}}, "in this process")});
  list.warning(SourceRange{file, {2, 3}, {2, 10}}, "a warning after an accent");
  return list;
}

TEST(DiagnosticFormats, SarifNamesTheRuleThePlaceInCharactersAndTheFix) {
  DiagnosticList list = typo_diagnostics();
  Json log = sarif_log(list.sorted(), {"missing.wth"}, "0.1.0");
  EXPECT_EQ(log["version"], "2.1.0");
  const Json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "termijn");
  EXPECT_EQ(run["columnKind"], "unicodeCodePoints");
  ASSERT_EQ(run["results"].size(), 3u);
  const Json& warning = run["results"][0];
  EXPECT_EQ(warning["level"], "warning");
  // Bytes 3..10 of "  // één" are characters 3..8: é is two bytes.
  EXPECT_EQ(warning["locations"][0]["physicalLocation"]["region"]["endColumn"], 8);
  const Json& error = run["results"][1];
  EXPECT_EQ(error["ruleId"], "termijn/error");
  EXPECT_EQ(error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "regio/zorg.wth");
  EXPECT_EQ(error["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(error["relatedLocations"][0]["message"]["text"], "in this process");
  EXPECT_EQ(error["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"], "hovj");
  EXPECT_EQ(run["results"][2]["ruleId"], "termijn/unreadable");
  for (const auto& result : run["results"]) {
    EXPECT_EQ(run["tool"]["driver"]["rules"][result["ruleIndex"].get<int>()]["id"], result["ruleId"]);
  }
}

TEST(DiagnosticFormats, JsonCountsAndLocates) {
  Json out = diagnostics_json(typo_diagnostics().sorted(), {});
  EXPECT_EQ(out["errors"], 1);
  EXPECT_EQ(out["warnings"], 1);
  EXPECT_EQ(out["diagnostics"][1]["range"]["start"]["line"], 3);
  EXPECT_EQ(out["diagnostics"][1]["range"]["start"]["column"], 13);
  EXPECT_EQ(out["diagnostics"][1]["notes"][0]["message"], "in this process");
}

TEST(DiagnosticFormats, AFixIsOfferedOnlyWhenTheRangeIsExactlyTheName) {
  auto file = std::make_shared<SourceFile>("x.wth", "task t by hovjj within 2 days\n");
  auto with = [&](int begin, int end, const std::string& message) {
    Diagnostic d;
    d.range = SourceRange{file, {1, begin}, {1, end}};
    d.message = message;
    return suggested_replacement(d);
  };
  EXPECT_EQ(with(11, 16, "unknown role 'hovjj' (did you mean 'hovj'?)"), "hovj");
  EXPECT_EQ(with(1, 16, "unknown role 'hovjj' (did you mean 'hovj'?)"), "");
  EXPECT_EQ(with(11, 16, "unknown role 'hovjj'"), "");
  // A variant's complaint placed at its `extends`: the name there is not the one misspelt.
  Diagnostic moved;
  moved.range = SourceRange{file, {1, 11}, {1, 16}};
  moved.message = "unknown role 'hovjj' (did you mean 'hovj'?)";
  moved.fixable = false;
  EXPECT_EQ(suggested_replacement(moved), "");
}

class Index : public ::testing::Test {
 protected:
  void SetUp() override {
    compilation_ = compile_paths({kSource + "/processes"}, kStdlib);
    ASSERT_FALSE(compilation_.diagnostics.has_errors()) << render(compilation_.diagnostics);
    index_ = std::make_unique<SymbolIndex>(compilation_.program);
    rotterdam_ = kSource + "/processes/rotterdam.wth";
    for (const auto& f : compilation_.program.files) {
      if (f.source->path() == rotterdam_) rotterdam_file_ = f.source;
    }
    ASSERT_TRUE(rotterdam_file_);
  }
  const Declaration* at(const std::string& needle, int offset) {
    const Use* use = index_->use_at(rotterdam_, position_of(*rotterdam_file_, needle, offset));
    return use != nullptr ? index_->resolve(*use) : nullptr;
  }
  Compilation compilation_;
  std::unique_ptr<SymbolIndex> index_;
  std::string rotterdam_;
  SourceFilePtr rotterdam_file_;
};

TEST_F(Index, AnOverrideAndAnInheritedRoleResolveInTheParent) {
  const Declaration* rihg = at("override task rihg", 15);
  ASSERT_NE(rihg, nullptr);
  EXPECT_EQ(rihg->kind, SymbolKind::kStep);
  EXPECT_EQ(rihg->scope, "landelijk");
  const Declaration* hovj = at("by hovj", 4);
  ASSERT_NE(hovj, nullptr);
  EXPECT_EQ(hovj->kind, SymbolKind::kRole);
  EXPECT_EQ(hovj->scope, "landelijk");
  const Declaration* own = at("by weegteam", 4);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->scope, "rotterdam");
}

TEST_F(Index, ATermResolvesToItsGroupInTheStandardLibraryAndAnOutputToItsTask) {
  const Declaration* term = at("Praktijk.rihg_rotterdam", 10);
  ASSERT_NE(term, nullptr);
  EXPECT_EQ(term->kind, SymbolKind::kTerm);
  EXPECT_EQ(term->container, "Praktijk");
  EXPECT_NE(term->name_range.file->path().find("stdlib/wth.wth"), std::string::npos);
  const Declaration* output = at("weegteam_beoordeling.huisverbodwaardig", 22);
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(output->kind, SymbolKind::kOutput);
  EXPECT_EQ(output->container, "weegteam_beoordeling");
}

TEST_F(Index, UsesOfAStepSpanTheVariantChain) {
  const Declaration* rihg = at("override task rihg", 15);
  ASSERT_NE(rihg, nullptr);
  std::set<std::string> files;
  for (const Use* u : index_->uses_of(*rihg)) files.insert(std::filesystem::path(u->range.file->path()).filename());
  EXPECT_TRUE(files.count("landelijk.wth") && files.count("rotterdam.wth") && files.count("voorstel_2024.wth"))
      << ::testing::PrintToString(files);
}

TEST_F(Index, AVariantSeesItsOwnAndItsParentsNamesOnce) {
  std::map<std::string, int> seen;
  for (const Declaration* d : index_->visible_in(rotterdam_, "rotterdam")) ++seen[std::string(to_string(d->kind)) + " " + d->name];
  EXPECT_EQ(seen["role weegteam"], 1);
  EXPECT_EQ(seen["role hovj"], 1);
  EXPECT_EQ(seen["step rihg"], 1);
  EXPECT_EQ(seen["terms Wth"], 1);
  std::vector<std::string> terms;
  for (const Declaration* d : index_->members_in(rotterdam_, "rotterdam", "Wth")) terms.push_back(d->name);
  EXPECT_NE(std::find(terms.begin(), terms.end(), "eerste_termijn"), terms.end());
}

TEST_F(Index, HoverSaysAStepsDeadlineInWordsAsTheVariantSeesIt) {
  const Declaration* rihg = at("override task rihg", 15);
  ASSERT_NE(rihg, nullptr);
  std::string text = describe(*rihg, "rotterdam", compilation_.model.get());
  EXPECT_NE(text.find("Praktijk.rihg_rotterdam = 4 hours"), std::string::npos) << text;
  std::string parent = describe(*rihg, "landelijk", compilation_.model.get());
  EXPECT_NE(parent.find("Praktijk.rihg_landelijk = 8 hours"), std::string::npos) << parent;
}

}  // namespace
}  // namespace termijn::tooling
