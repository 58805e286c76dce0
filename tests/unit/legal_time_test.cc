// Legal time: the deadlines the law and practice compute, including across summer time and
// holidays. Instants are written in Amsterdam local time, as a coordinator reads them.
#include "engine/time/legal_time.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(name(2027_y / March / 26), "-") << "Goede Vrijdag is not in art. 3 Atw";
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

TEST_F(LegalTimeTest, TermijnenwetMovesAWeekendEndButOnlyWhenAsked) {
  // A ban imposed Wednesday 21 Oct 2026 14:00 ends Saturday 31 Oct: the Wth does not move it.
  Instant end = legal.add(local("2026-10-21 14:00"), days(10), nullptr);
  EXPECT_EQ(legal.format(end), "2026-10-31 14:00 CET");
  // A term under the Algemene termijnenwet would move to Monday 2 November.
  std::vector<std::string> notes;
  EXPECT_EQ(legal.format(legal.next_working_day(end, *nl, &notes)), "2026-11-02 14:00 CET");
  EXPECT_EQ(notes.size(), 1u);
  Instant monday = local("2026-11-02 14:00");
  EXPECT_EQ(legal.next_working_day(monday, *nl, nullptr), monday);
}

TEST(Instant, ParsesUtcOffsetsAndLocalTime) {
  EXPECT_EQ(to_iso_utc(*parse_instant("2026-10-30T13:35:00Z")), "2026-10-30T13:35:00Z");
  EXPECT_EQ(to_iso_utc(*parse_instant("2026-10-30T14:35:00+01:00")), "2026-10-30T13:35:00Z");
  EXPECT_EQ(to_iso_utc(*parse_instant("2026-07-01 12:00")), "2026-07-01T10:00:00Z");
  EXPECT_FALSE(parse_instant("yesterday").has_value());
}

}  // namespace
}  // namespace termijn
