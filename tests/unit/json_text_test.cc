// append_json must write exactly what nlohmann::json::dump() writes, and refuse what it refuses:
// the store's rows are compared, hashed (the audit chain) and read back as that text.
#include "engine/base/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace termijn {
namespace {

using Json = nlohmann::json;

// Bytes a string may hold: plain text, every escape, text in other scripts, and (when `valid` is
// false) pieces of UTF-8 that do not make a character.
std::string random_text(std::mt19937& rng, bool valid) {
  static const char* const kPieces[] = {"a", "Z", " ", "huisverbod", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t",
                                        "\x01", "\x1f", "\x7f", "\xc3\xab", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "0"};
  static const char* const kBroken[] = {"\xc3", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff"};
  std::string out;
  const int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) {
    if (!valid && rng() % 8 == 0) {
      out += kBroken[rng() % std::size(kBroken)];
    } else {
      out += kPieces[rng() % std::size(kPieces)];
    }
  }
  return out;
}

Json random_json(std::mt19937& rng, int depth, bool valid) {
  switch (depth > 3 ? rng() % 6 : rng() % 8) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<std::int64_t>(rng()) - static_cast<std::int64_t>(rng()) * 4096;
    case 3: return static_cast<std::uint64_t>(rng()) * 1000003u;
    case 4: return std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 40) - 20);
    case 5: return random_text(rng, valid);
    case 6: {
      Json object = Json::object();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) object[random_text(rng, valid)] = random_json(rng, depth + 1, valid);
      return object;
    }
    default: {
      Json array = Json::array();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) array.push_back(random_json(rng, depth + 1, valid));
      return array;
    }
  }
}

TEST(JsonText, WritesWhatDumpWrites) {
  std::mt19937 rng(20261201);
  for (int i = 0; i < 20000; ++i) {
    const Json j = random_json(rng, 0, true);
    ASSERT_EQ(json_text(j), j.dump()) << "value " << i;
  }
  // The plain and the edge cases by name.
  for (const Json& j : {Json(nullptr), Json(true), Json(-0.0), Json(1e300), Json(INT64_MIN), Json(UINT64_MAX),
                        Json(""), Json(Json::object()), Json(Json::array()), Json("\x7f\x1f\"\\"),
                        Json::parse(R"({"b":[1,2.5,"x"],"a":{"":null}})")}) {
    EXPECT_EQ(json_text(j), j.dump());
  }
}

TEST(JsonText, TheBoundIsNeverBelowWhatDumpWrites) {
  std::mt19937 rng(20261203);
  for (int i = 0; i < 20000; ++i) {
    const bool valid = i % 2 == 0;
    const Json j = random_json(rng, 0, valid);
    ASSERT_GE(json_text_bound(j), j.dump(-1, ' ', false, Json::error_handler_t::replace).size()) << "value " << i;
    ASSERT_GE(json_text_bound(j), j.dump(-1, ' ', true, Json::error_handler_t::replace).size()) << "value " << i;
  }
  for (const Json& j : {Json(-1.2345678901234567e-308), Json(INT64_MIN), Json(UINT64_MAX), Json(std::nan("")),
                        Json(std::string(100, '\x01')), Json::parse(R"({"":[[],{}]})")}) {
    EXPECT_GE(json_text_bound(j), j.dump(-1, ' ', true).size()) << j.dump();
  }
}

TEST(JsonText, LongTextIsReadEightBytesAtATimeAndEscapedWhereverTheEscapeFalls) {
  // A byte that needs a look at every position of text up to three words long, so at the start,
  // middle and end of a word and in the bytes after the last whole word.
  for (const char* special : {"\"", "\\", "\n", "\x01", "\x1f", "\xc3\xab", "\xe2\x82\xac", " ", "\x7f"}) {
    for (std::size_t size = 0; size <= 24; ++size) {
      for (std::size_t at = 0; at <= size; ++at) {
        std::string text(size, 'x');
        text.insert(at, special);
        ASSERT_EQ(json_text(Json(text)), Json(text).dump()) << "size " << size << " at " << at;
      }
    }
  }
  // Broken UTF-8 past the first word is still refused.
  EXPECT_THROW((void)json_text(Json(std::string(17, 'x') + "\xff")), Json::type_error);
}

TEST(JsonText, AListOfStringsIsWrittenAsItsArray) {
  const std::vector<std::string> none, some{"opgelegd = 2026-10-20 09:00 CEST", "", "\"art. 2\"\n", "Zo\xc3\xab"};
  EXPECT_EQ(json_text(none), Json(none).dump());
  EXPECT_EQ(json_text(some), Json(some).dump());
  std::string out = "x";
  append_json_string(out, "a\"b");
  EXPECT_EQ(out, "x" + Json("a\"b").dump());
}

TEST(JsonText, TextIsUtf8WhereDumpWouldWriteIt) {
  EXPECT_TRUE(is_utf8_text(Json::parse(R"({"a":["Zo\u00eb",1,null,{"b":"c"}]})")));
  EXPECT_FALSE(is_utf8_text(Json{{"a", Json::array({1, "x\xff"})}}));
  EXPECT_FALSE(is_utf8_text(Json{{"\xc3", 1}}));  // a key
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    const Json j = random_json(rng, 0, false);
    bool dumped = true;
    try {
      (void)j.dump();
    } catch (const Json::type_error&) {
      dumped = false;
    }
    ASSERT_EQ(is_utf8_text(j), dumped) << "value " << i;
  }
}

TEST(JsonText, RefusesWhatDumpRefuses) {
  std::mt19937 rng(7);
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    const Json j = random_json(rng, 0, false);
    std::string expected;
    bool dump_threw = false;
    try {
      expected = j.dump();
    } catch (const Json::type_error&) {
      dump_threw = true;
    }
    if (dump_threw) {
      ++refused;
      EXPECT_THROW((void)json_text(j), Json::type_error) << "value " << i;
    } else {
      EXPECT_EQ(json_text(j), expected) << "value " << i;
    }
  }
  EXPECT_GT(refused, 1000);  // the broken pieces do come up
}

// same_json is operator== but for the type of every value: what convert_input accepts for one it
// accepts for the other, and the two dump to the same text.
TEST(JsonText, SameJsonIsEqualityOfTypeAndValue) {
  std::mt19937 rng(11);
  for (int i = 0; i < 5000; ++i) {
    const Json a = random_json(rng, 0, true);
    Json b = random_json(rng, 0, true);
    EXPECT_TRUE(same_json(a, Json(a))) << "value " << i;
    // Now and then a copy with one value changed at the top, or in an object or array.
    if (i % 3 == 0) {
      b = a;
      Json* inner = b.is_structured() && !b.empty() ? &*b.begin() : &b;
      *inner = random_json(rng, 3, true);
    }
    EXPECT_EQ(same_json(a, b), a.dump() == b.dump()) << a.dump() << " / " << b.dump();
  }
  EXPECT_TRUE(same_json(Json(1), Json(1)));
  EXPECT_FALSE(same_json(Json(1), Json(1.0))) << "a whole number and a float are equal to operator==";
  EXPECT_FALSE(same_json(Json(1), Json(1u)));
  EXPECT_FALSE(same_json(Json(0.0), Json(-0.0)));
  EXPECT_FALSE(same_json(Json{{"a", 1}}, Json{{"a", 1.0}}));
  EXPECT_FALSE(same_json(Json::array({1, true}), Json::array({1, true, nullptr})));
  EXPECT_FALSE(same_json(Json::object(), Json::array()));
  EXPECT_TRUE(same_json(Json{{"a", {1, "x"}}}, Json{{"a", {1, "x"}}}));
}

}  // namespace
}  // namespace termijn
