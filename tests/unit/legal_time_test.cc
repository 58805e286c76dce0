// Legal time: the deadlines the law and practice compute, including across summer time and
// holidays. Instants are written in Amsterdam local time, as a coordinator reads them.
#include "engine/time/legal_time.h"

#include <date/tz.h>
#include <gtest/gtest.h>

#include "engine/time/equated_days.h"
#include "engine/time/termijnenwet.h"

namespace termijn {
namespace {

Instant local(const std::string& text) { return *parse_instant(text); }

class LegalTimeTest : public ::testing::Test {
 protected:
  LegalTime legal;
  const HolidayCalendar* nl = HolidayCalendar::find("NL");
  Duration days(int n) { return *make_duration(n, "days", false); }
  Duration working(int n) { return *make_duration(n, "days", true); }
};

TEST_F(LegalTimeTest, TenDaysToTheHourAcrossTheEndOfSummerTime) {
  // Imposed 20 Oct 2026 14:35 CEST; summer time ends 25 Oct; the ban ends 30 Oct 14:35 CET.
  std::vector<std::string> notes;
  Instant end = legal.add(local("2026-10-20 14:35"), days(10), nullptr, &notes);
  EXPECT_EQ(legal.format(end), "2026-10-30 14:35 CET");
  EXPECT_EQ(to_iso_utc(end), "2026-10-30T13:35:00Z");
  EXPECT_EQ(end - local("2026-10-20 14:35"), std::chrono::hours(241));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("UTC+02:00 to UTC+01:00"), std::string::npos) << notes[0];
}

// format() is written by hand for speed: the same text as date::format, the zone's abbreviation
// included, every few minutes through a year with both changes of the clocks, and beyond the
// years of four digits (where it falls back on date::format).
TEST_F(LegalTimeTest, FormatIsDateFormatsText) {
  const date::time_zone* zone = date::locate_zone("Europe/Amsterdam");
  auto expected = [&](Instant t) {
    return date::format("%Y-%m-%d %H:%M %Z", date::zoned_time<std::chrono::minutes>{
                                                 zone, date::floor<std::chrono::minutes>(t)});
  };
  for (Instant t = local("2026-01-01 00:00"); t < local("2027-01-01 00:00"); t += std::chrono::seconds(7 * 60 + 13)) {
    ASSERT_EQ(legal.format(t), expected(t));
  }
  for (Instant t : {local("2026-03-29 01:59") + std::chrono::hours(1), Instant{} - std::chrono::hours(24 * 366 * 1000),
                    Instant{} + std::chrono::hours(24 * 366 * 8100)}) {
    EXPECT_EQ(legal.format(t), expected(t));
  }
}

TEST_F(LegalTimeTest, TenDaysAcrossTheStartOfSummerTime) {
  Instant end = legal.add(local("2027-03-25 09:00"), days(10), nullptr);
  EXPECT_EQ(legal.format(end), "2027-04-04 09:00 CEST");
  EXPECT_EQ(end - local("2027-03-25 09:00"), std::chrono::hours(239));
}

TEST_F(LegalTimeTest, CourtFileExampleTwentyEightDays) {
  // Imposed 13-07-2014 13:59; ten days end 23-07-2014 13:59; extended to 28 days.
  EXPECT_EQ(legal.format(legal.add(local("2014-07-13 13:59"), days(10), nullptr)), "2014-07-23 13:59 CEST");
  EXPECT_EQ(legal.format(legal.add(local("2014-07-13 13:59"), days(28), nullptr)), "2014-08-10 13:59 CEST");
}

TEST_F(LegalTimeTest, HoursAreElapsedTime) {
  Instant end = legal.add(local("2026-10-24 20:00"), *make_duration(24, "hours", false), nullptr);
  EXPECT_EQ(legal.format(end), "2026-10-25 19:00 CET");  // the clocks went back an hour
}

TEST_F(LegalTimeTest, MonthsClampToTheLastDay) {
  std::vector<std::string> notes;
  Instant end = legal.add(local("2027-01-31 10:00"), *make_duration(1, "month", false), nullptr, &notes);
  EXPECT_EQ(legal.format(end), "2027-02-28 10:00 CET");
  EXPECT_EQ(notes.size(), 1u);
}

TEST_F(LegalTimeTest, DutchHolidays) {
  using namespace date;
  auto name = [&](year_month_day d) { return nl->holiday(d).value_or("-"); };
  EXPECT_EQ(sys_days{DutchHolidays::easter_sunday(2027_y)}, sys_days{2027_y / March / 28});
  EXPECT_EQ(sys_days{DutchHolidays::easter_sunday(2026_y)}, sys_days{2026_y / April / 5});
  EXPECT_EQ(name(2027_y / March / 29), "Tweede Paasdag");
  EXPECT_EQ(name(2027_y / May / 6), "Hemelvaartsdag");
  EXPECT_EQ(name(2027_y / May / 17), "Tweede Pinksterdag");
  EXPECT_EQ(name(2027_y / April / 27), "Koningsdag");
  // 27 April 2025 was a Sunday: Koningsdag moved to Saturday the 26th.
  EXPECT_EQ(name(2025_y / April / 26), "Koningsdag");
  EXPECT_EQ(name(2025_y / April / 27), "-");
  EXPECT_EQ(name(2026_y / May / 5), "Bevrijdingsdag");
  EXPECT_EQ(name(2026_y / December / 25), "Eerste Kerstdag");
  EXPECT_EQ(name(2026_y / December / 26), "Tweede Kerstdag");
  EXPECT_EQ(name(2027_y / January / 1), "Nieuwjaarsdag");
  EXPECT_EQ(name(2027_y / March / 26), "-") << "Goede Vrijdag is not in art. 3 lid 1 Atw (lid 2: the Atw only)";
}

TEST_F(LegalTimeTest, KingsDayFollowsItsHistory) {
  // law.md §3.6: 30 April up to 2013 (a Sunday -> Saturday the 29th, KB 1980), 27 April from 2014
  // (a Sunday -> Saturday the 26th, KB 2013).
  using namespace date;
  auto name = [&](year_month_day d) { return nl->holiday(d).value_or("-"); };
  EXPECT_EQ(name(2013_y / April / 30), "Koninginnedag");  // a Tuesday
  EXPECT_EQ(name(2013_y / April / 27), "-");
  EXPECT_EQ(name(1990_y / April / 30), "Koninginnedag");
  EXPECT_EQ(name(2006_y / April / 29), "Koninginnedag");  // 30 April 2006 was a Sunday
  EXPECT_EQ(name(2006_y / April / 30), "-");
  EXPECT_EQ(name(2014_y / April / 26), "Koningsdag");  // 27 April 2014 was a Sunday
  EXPECT_EQ(name(2014_y / April / 30), "-");
  // Monday 29 April 2013 + 1 working day: Tuesday the 30th is Koninginnedag, so Wednesday.
  EXPECT_EQ(legal.format(legal.add(local("2013-04-29 09:00"), working(1), nl)), "2013-05-01 09:00 CEST");
}

TEST_F(LegalTimeTest, WorkingDaysAcrossEaster) {
  // Thursday 25 March 2027 + 3 working days: Fri 26, (Sat, Sun, Easter Monday skipped), Tue 30, Wed 31.
  std::vector<std::string> notes;
  Instant end = legal.add(local("2027-03-25 10:00"), working(3), nl, &notes);
  EXPECT_EQ(legal.format(end), "2027-03-31 10:00 CEST");
  EXPECT_EQ(notes.size(), 4u);  // Saturday, Sunday, Tweede Paasdag, and the clocks changing
}

TEST_F(LegalTimeTest, WorkingDaysAcrossKoningsdagAndChristmas) {
  // Monday 26 April 2027 + 1 working day skips Koningsdag (Tuesday 27th).
  EXPECT_EQ(legal.format(legal.add(local("2027-04-26 09:00"), working(1), nl)), "2027-04-28 09:00 CEST");
  // Thursday 24 December 2026 + 2 working days: Christmas Fri/Sat, Sunday -> Mon 28, Tue 29.
  EXPECT_EQ(legal.format(legal.add(local("2026-12-24 16:00"), working(2), nl)), "2026-12-29 16:00 CET");
  // Counting back.
  EXPECT_EQ(legal.format(legal.add(local("2026-12-29 16:00"), working(-2), nl)), "2026-12-24 16:00 CET");
}

// ---- The Algemene termijnenwet (engine/time/termijnenwet.h) ----

class TermijnenwetTest : public LegalTimeTest {
 protected:
  // The end of a term of `length` from `start` (local time), under the Atw when `atw`.
  std::string end(const std::string& start, const Duration& length, bool atw = true, bool backwards = false) {
    why.clear();
    Instant from = local(start);
    Instant plain = legal.add(from, backwards ? negate(length) : length, nullptr);
    return legal.format(end_of_term(legal, TermEnd{from, plain, length, backwards, atw}, &why));
  }
  std::string all_why() const {
    std::string out;
    for (const auto& line : why) out += line + "\n";
    return out;
  }
  std::vector<std::string> why;
};

TEST_F(TermijnenwetTest, Article1MovesAWeekendEndButOnlyWhenDeclared) {
  // Ten days from Wednesday 21 Oct 2026 14:00 end on Saturday 31 Oct (day 10). Under the Atw the
  // term runs to Monday 2 November (day 12): on day 11, Sunday, it has not ended.
  EXPECT_EQ(end("2026-10-21 14:00", days(10)), "2026-11-02 14:00 CET");
  EXPECT_NE(all_why().find("art. 1 lid 1 Algemene termijnenwet"), std::string::npos) << all_why();
  EXPECT_NE(all_why().find("moved past Sat 31-10-2026; Sun 01-11-2026 to Mon 02-11-2026"), std::string::npos)
      << all_why();
  EXPECT_EQ(why.back(), "end under the Algemene termijnenwet: 2026-11-02 14:00 CET");
  // A ban is not declared so: it ends on the Saturday (case law, law.md §3.7), and says why.
  EXPECT_EQ(end("2026-10-21 14:00", days(10), false), "2026-10-31 14:00 CET");
  ASSERT_EQ(why.size(), 1u);
  EXPECT_EQ(why[0], "ends on Sat 31-10-2026; not moved: the term is not declared 'with termijnenwet'");
  // An end on a working day stays, without a word.
  EXPECT_EQ(end("2026-10-22 14:00", days(11)), "2026-11-02 14:00 CET");
  EXPECT_TRUE(why.empty()) << all_why();
}

TEST_F(TermijnenwetTest, LawMdExampleThreeDaysFromThursdayEndOnSaturday) {
  // law.md §3.3: "a 3-day term starting Thursday would end Saturday -> Monday; if that Monday is
  // Easter Monday -> Tuesday". Starting Thursday = running from a moment on Wednesday (its day
  // does not count): Thursday, Friday, Saturday.
  EXPECT_EQ(end("2026-10-21 10:00", days(3)), "2026-10-26 10:00 CET");
  // Wednesday 24 March 2027: Thursday, Goede Vrijdag (art. 3 lid 2), Saturday; Sunday, Easter
  // Monday -> Tuesday 30 March, which also holds the two working days art. 2 asks (Thu, Tue).
  EXPECT_EQ(end("2027-03-24 10:00", days(3)), "2027-03-30 10:00 CEST");
  EXPECT_NE(all_why().find("Mon 29-03-2027, Tweede Paasdag"), std::string::npos) << all_why();
  EXPECT_EQ(all_why().find("art. 2"), std::string::npos) << all_why();
}

TEST_F(TermijnenwetTest, Article2TwoDaysThatCount) {
  // Three days from Friday 23 Oct 2026 end on Monday 26 Oct, a working day: art. 1 does nothing,
  // but Saturday, Sunday, Monday hold only one day that counts; art. 2 -> Tuesday 27 Oct.
  EXPECT_EQ(end("2026-10-23 10:00", days(3)), "2026-10-27 10:00 CET");
  EXPECT_NE(all_why().find("art. 2 Algemene termijnenwet"), std::string::npos) << all_why();
  EXPECT_NE(all_why().find("from Sat 24-10-2026 to Mon 26-10-2026 only one does (not: Sat 24-10-2026; "
                           "Sun 25-10-2026): extended to Tue 27-10-2026"),
            std::string::npos) << all_why();
  // Two days are not "at least three": Friday + 2 days ends Sunday, art. 1 -> Monday, no art. 2.
  EXPECT_EQ(end("2026-10-23 10:00", days(2)), "2026-10-26 10:00 CET");
  EXPECT_EQ(all_why().find("art. 2"), std::string::npos) << all_why();
  // Art. 1 and 2 together: Thursday 25 March 2027 + 3 days = Easter Sunday -> Easter Monday ->
  // Tuesday 30 (art. 1); Good Friday to Tuesday holds only Tuesday -> Wednesday 31 (art. 2).
  EXPECT_EQ(end("2027-03-25 10:00", days(3)), "2027-03-31 10:00 CEST");
  EXPECT_NE(all_why().find("Fri 26-03-2027, Goede Vrijdag, art. 3 lid 2 Atw"), std::string::npos) << all_why();
  // Working days count on the Atw calendar too: 3 working days (NL) from Tuesday 23 March 2027
  // end on Good Friday, which the Atw does not count -> Tuesday 30 March.
  std::vector<std::string> notes;
  Instant from = local("2027-03-23 10:00");
  Instant plain = legal.add(from, working(3), nl);
  EXPECT_EQ(legal.format(plain), "2027-03-26 10:00 CET");
  EXPECT_EQ(legal.format(end_of_term(legal, TermEnd{from, plain, working(3), false, true}, &notes)),
            "2027-03-30 10:00 CEST");
}

TEST_F(TermijnenwetTest, DaysEquatedByRoyalDecree) {
  // Art. 3 lid 3: Friday 27 May 2022 (after Ascension) equated by decree, from the data file.
  using namespace date;
  EXPECT_NE(atw_calendar().holiday(2022_y / May / 27).value_or("").find("royal decree"), std::string::npos);
  EXPECT_FALSE(nl->holiday(2022_y / May / 27).has_value()) << "a working day for `working days`";
  EXPECT_FALSE(atw_calendar().is_working_day(sys_days{2027_y / March / 26})) << "Goede Vrijdag";
  // Ten days from Tuesday 17 May 2022 09:00 end on the decree day -> Monday 30 May.
  EXPECT_EQ(end("2022-05-17 09:00", days(10)), "2022-05-30 09:00 CEST");
  EXPECT_NE(all_why().find("moved past Fri 27-05-2022, equated with a holiday by royal decree ("), std::string::npos)
      << all_why();
}

TEST_F(TermijnenwetTest, NotForATermCountedBackwards) {
  // Art. 1 lid 2: ten days before Tuesday 10 Nov 2026 14:00 is Saturday 31 Oct; it stays.
  EXPECT_EQ(end("2026-11-10 14:00", days(10), true, true), "2026-10-31 14:00 CET");
  ASSERT_EQ(why.size(), 1u);
  EXPECT_NE(why[0].find("art. 1 lid 2 Algemene termijnenwet"), std::string::npos) << why[0];
}

TEST_F(TermijnenwetTest, Article4ExcludesHoursAndLongTerms) {
  auto excluded = [](const Duration& d) { return termijnenwet_excluded(d).value_or(""); };
  EXPECT_NE(excluded(*make_duration(24, "hours", false)).find("terms counted in hours"), std::string::npos);
  EXPECT_NE(excluded(*make_duration(30, "minutes", false)).find("secondary sources"), std::string::npos);
  EXPECT_EQ(excluded(days(90)), "");
  EXPECT_NE(excluded(days(91)).find("longer than three months or 90 days"), std::string::npos);
  EXPECT_EQ(excluded(*make_duration(12, "weeks", false)), "");
  EXPECT_NE(excluded(*make_duration(13, "weeks", false)), "");
  EXPECT_EQ(excluded(*make_duration(3, "months", false)), "");
  EXPECT_NE(excluded(*make_duration(4, "months", false)), "");
  EXPECT_NE(excluded(*make_duration(1, "year", false)), "");
  EXPECT_EQ(excluded(*make_duration(6, "weeks", false)), "") << "the Awb's objection term";
}

TEST(EquatedDays, TheDataFileIsCheckedLineByLine) {
  auto file = std::make_shared<SourceFile>("dagen.txt",
                                           "# comment\n"
                                           "\n"
                                           "2026-05-15  Besluit X, Stcrt. 2025, 1\n"  // Friday after Ascension 2026
                                           "2026-05-16  a Saturday\n"
                                           "2026-02-30  no such day\n"
                                           "26-05-2026  Dutch order\n"
                                           "2300-01-02  too late\n"
                                           "2026-05-15  twice\n"
                                           "2026-04-03  Goede Vrijdag\n"
                                           "2026-06-01\n");
  DiagnosticList d;
  std::vector<EquatedDay> days = parse_equated_days(file, d);
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].decree, "Besluit X, Stcrt. 2025, 1");
  std::string out = render(d);
  EXPECT_EQ(d.error_count(), 7) << out;
  EXPECT_NE(out.find("dagen.txt:4:1: error: Sat 16-05-2026 is a Saturday"), std::string::npos) << out;
  EXPECT_NE(out.find("dagen.txt:5:1: error: 2026-02-30 is not a day in the calendar"), std::string::npos) << out;
  EXPECT_NE(out.find("dagen.txt:6:1: error: expected a date as YYYY-MM-DD"), std::string::npos) << out;
  EXPECT_NE(out.find("dagen.txt:7:1: error: the year is outside 1965-2199"), std::string::npos) << out;
  EXPECT_NE(out.find("dagen.txt:8:1: error: Fri 15-05-2026 is listed twice"), std::string::npos) << out;
  EXPECT_NE(out.find("dagen.txt:9:1: error: Fri 03-04-2026 is already a holiday"), std::string::npos) << out;
  EXPECT_NE(out.find("dagen.txt:10:11: error: after the date, name the royal decree"), std::string::npos) << out;
}

// ---- Local times that do not exist or exist twice (RFC 5545, java.time) ----

TEST_F(LegalTimeTest, AnHourInTheSpringGapMovesForwardByTheGap) {
  // 29 March 2026: 02:00 -> 03:00. 02:30 is read with the offset before the gap: 03:30 CEST.
  std::vector<std::string> notes;
  using namespace std::chrono;
  Instant t = legal.from_local(date::local_days{date::year{2026} / 3 / 29} + hours(2) + minutes(30), &notes);
  EXPECT_EQ(legal.format(t), "2026-03-29 03:30 CEST");
  EXPECT_EQ(to_iso_utc(t), "2026-03-29T01:30:00Z");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "02:30 does not exist on 29-03-2026 (clocks go forward): 03:30 CEST, RFC 5545");
  EXPECT_EQ(to_iso_utc(*parse_instant("2026-03-29 02:00")), "2026-03-29T01:00:00Z");  // 03:00 CEST
  // A ten-day term from 19 March 02:30 ends in the gap: 03:30, and the explanation says so.
  notes.clear();
  EXPECT_EQ(legal.format(legal.add(local("2026-03-19 02:30"), days(10), nullptr, &notes)), "2026-03-29 03:30 CEST");
  ASSERT_FALSE(notes.empty());
  EXPECT_EQ(notes[0], "02:30 does not exist on 29-03-2026 (clocks go forward): 03:30 CEST, RFC 5545");
}

TEST_F(LegalTimeTest, AnHourInTheAutumnOverlapTakesTheEarlierOffset) {
  // 25 October 2026: 03:00 -> 02:00; 02:30 happens twice; the first, in summer time.
  std::vector<std::string> notes;
  using namespace std::chrono;
  Instant t = legal.from_local(date::local_days{date::year{2026} / 10 / 25} + hours(2) + minutes(30), &notes);
  EXPECT_EQ(to_iso_utc(t), "2026-10-25T00:30:00Z");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "02:30 occurs twice on 25-10-2026 (clocks go back): the first, 02:30 CEST, RFC 5545");
  // An hour that exists once needs no note.
  notes.clear();
  legal.from_local(date::local_days{date::year{2026} / 10 / 25} + hours(3), &notes);
  EXPECT_TRUE(notes.empty());
}

TEST(Instant, ParsesUtcOffsetsAndLocalTime) {
  EXPECT_EQ(to_iso_utc(*parse_instant("2026-10-30T13:35:00Z")), "2026-10-30T13:35:00Z");
  EXPECT_EQ(to_iso_utc(*parse_instant("2026-10-30T14:35:00+01:00")), "2026-10-30T13:35:00Z");
  EXPECT_EQ(to_iso_utc(*parse_instant("2026-07-01 12:00")), "2026-07-01T10:00:00Z");
  // A date alone, as a birth date is written: midnight in Amsterdam, summer or winter.
  EXPECT_EQ(to_iso_utc(*parse_instant("2014-10-20")), "2014-10-19T22:00:00Z");
  EXPECT_EQ(to_iso_utc(*parse_instant("2016-02-29")), "2016-02-28T23:00:00Z");
  EXPECT_FALSE(parse_instant("2015-02-29").has_value());
  EXPECT_FALSE(parse_instant("2015-13-01").has_value());
  EXPECT_FALSE(parse_instant("yesterday").has_value());
}

TEST(Instant, ReadsFractionsAndOffsetsAndRefusesEveryOtherShape) {
  using std::chrono::milliseconds;
  const Instant utc = *parse_instant("2026-10-30T13:35:00Z");
  EXPECT_EQ(*parse_instant("2026-10-30T13:35:00.5Z"), utc + milliseconds(500));
  EXPECT_EQ(*parse_instant("2026-10-30T13:35:00.25Z"), utc + milliseconds(250));
  EXPECT_EQ(*parse_instant("2026-10-30T13:35:00.125Z"), utc + milliseconds(125));
  EXPECT_EQ(*parse_instant("2026-10-30T10:05:00-03:30"), utc);
  EXPECT_EQ(*parse_instant("2026-10-30 14:35:00"), utc);  // Amsterdam, winter time
  EXPECT_EQ(*parse_instant("2026-10-30T14:35"), utc);
  EXPECT_EQ(to_iso_utc(*parse_instant("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
  for (const char* bad : {"2026-10-30T13:35Z",          // an offset needs the seconds
                          "2026-10-30T13:35:00.1234Z",  // at most milliseconds
                          "2026-10-30T13:35:00.Z", "2026-10-30 24:00", "2026-10-30 13:60", "2026-10-30 13:35:60",
                          "2026-10-30T13:35:00+24:00", "2026-10-30T13:35:00+02", "2026-10-30T13:35:00+02:00x",
                          "2026-10-30T13:35:00ZZ", "2026-10-30x13:35", "2026-10-3", "2026-10-30 1:35", "+026-10-30",
                          "2026-00-10", "2026-10-00", "2026-10-30 13:35 ", "", "2026-10-30T13:35:00.000+02:00:"}) {
    EXPECT_FALSE(parse_instant(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace termijn
