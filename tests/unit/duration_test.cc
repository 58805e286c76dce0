#include "engine/base/duration.h"

#include <gtest/gtest.h>

namespace termijn {
namespace {

TEST(Duration, UnitsMapToTheirKind) {
  EXPECT_EQ(make_duration(10, "days", false)->kind, DurationKind::kCalendar);
  EXPECT_EQ(make_duration(10, "days", false)->days, 10);
  EXPECT_EQ(make_duration(2, "weeks", false)->days, 14);
  EXPECT_EQ(make_duration(1, "year", false)->months, 12);
  EXPECT_EQ(make_duration(24, "hours", false)->kind, DurationKind::kClock);
  EXPECT_EQ(make_duration(24, "hours", false)->minutes, 24 * 60);
  EXPECT_EQ(make_duration(3, "days", true)->kind, DurationKind::kWorking);
  EXPECT_FALSE(make_duration(3, "hours", true).has_value());
  EXPECT_FALSE(make_duration(3, "dayz", false).has_value());
}

TEST(Duration, OnlySameKindsAdd) {
  Duration ten = *make_duration(10, "days", false);
  Duration eighteen = *make_duration(18, "days", false);
  Duration hours = *make_duration(2, "hours", false);
  EXPECT_EQ(add(ten, eighteen)->days, 28);
  EXPECT_FALSE(add(ten, hours).has_value());
  EXPECT_EQ(negate(ten).days, -10);
  EXPECT_EQ(scale(hours, 3).minutes, 360);
}

TEST(Duration, PrintsAsWritten) {
  EXPECT_EQ(to_string(*make_duration(10, "days", false)), "10 days");
  EXPECT_EQ(to_string(*make_duration(1, "day", false)), "1 day");
  EXPECT_EQ(to_string(*make_duration(12, "months", false)), "1 year");
  EXPECT_EQ(to_string(*make_duration(24, "hours", false)), "24 hours");
  EXPECT_EQ(to_string(*make_duration(90, "minutes", false)), "90 minutes");
  EXPECT_EQ(to_string(*make_duration(3, "days", true)), "3 working days");
}

}  // namespace
}  // namespace termijn
