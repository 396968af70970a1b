#include "engine/key_format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace actiondb::engine::keys {
namespace {

std::string Enc(const Value& v) {
  std::string s;
  AppendValue(&s, v);
  return s;
}

Value Dec(const std::string& s, ValueKind kind) {
  std::string_view in = s;
  Value v;
  EXPECT_TRUE(ConsumeValue(&in, kind, &v));
  EXPECT_TRUE(in.empty());
  return v;
}

TEST(KeyFormatTest, NumbersSortNumerically) {
  std::vector<double> xs = {-std::numeric_limits<double>::infinity(),
                            -1e300,
                            -2.5,
                            -1,
                            -1e-300,
                            0,
                            1e-300,
                            0.5,
                            1,
                            2,
                            1e10,
                            9007199254740993.0,
                            1e300,
                            std::numeric_limits<double>::infinity()};
  for (size_t i = 0; i + 1 < xs.size(); ++i) {
    EXPECT_LT(Enc(Value::Number(xs[i])), Enc(Value::Number(xs[i + 1])))
        << xs[i] << " vs " << xs[i + 1];
  }
  for (double x : xs) EXPECT_EQ(Dec(Enc(Value::Number(x)), ValueKind::kNumber).as_number(), x);
}

TEST(KeyFormatTest, NegativeZeroEqualsZero) {
  EXPECT_EQ(Enc(Value::Number(-0.0)), Enc(Value::Number(0.0)));
  EXPECT_EQ(NumberToOrderedBits(-0.0), NumberToOrderedBits(0.0));
  double back = Dec(Enc(Value::Number(-0.0)), ValueKind::kNumber).as_number();
  EXPECT_FALSE(std::signbit(back));
}

TEST(KeyFormatTest, RandomDoublesKeepOrder) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  std::vector<double> xs;
  for (int i = 0; i < 2000; ++i) xs.push_back(d(rng));
  std::vector<std::string> encs;
  for (double x : xs) encs.push_back(Enc(Value::Number(x)));
  std::vector<size_t> by_val(xs.size()), by_enc(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) by_val[i] = by_enc[i] = i;
  std::sort(by_val.begin(), by_val.end(), [&](size_t a, size_t b) { return xs[a] < xs[b]; });
  std::sort(by_enc.begin(), by_enc.end(), [&](size_t a, size_t b) { return encs[a] < encs[b]; });
  EXPECT_EQ(by_val, by_enc);
}

TEST(KeyFormatTest, DateTimesIncludingNegativeSortInOrder) {
  std::vector<int64_t> ts = {
      std::numeric_limits<int64_t>::min(), -86400000, -1, 0, 1, 1577836800000,
      std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i + 1 < ts.size(); ++i) {
    EXPECT_LT(Enc(Value::DateTime(ts[i])), Enc(Value::DateTime(ts[i + 1])));
  }
  for (int64_t t : ts)
    EXPECT_EQ(Dec(Enc(Value::DateTime(t)), ValueKind::kDateTime).as_datetime(), t);
}

TEST(KeyFormatTest, StringsSortBytewiseWithEmbeddedNuls) {
  std::vector<std::string> ss = {"",
                                 std::string("\0", 1),
                                 std::string("\0\0", 2),
                                 std::string("\0a", 2),
                                 "a",
                                 std::string("a\0", 2),
                                 std::string("a\0b", 3),
                                 "ab",
                                 "abc",
                                 "b",
                                 "\xc3\xa9",
                                 "\xff"};
  for (size_t i = 0; i + 1 < ss.size(); ++i) {
    EXPECT_LT(Enc(Value::String(ss[i])), Enc(Value::String(ss[i + 1]))) << i;
  }
  for (const auto& s : ss) EXPECT_EQ(Dec(Enc(Value::String(s)), ValueKind::kString).as_string(), s);
}

TEST(KeyFormatTest, StringEncodingIsPrefixFreeInTuples) {
  // ("a", 2) must sort before ("ab", 1): compare column by column.
  std::string k1 = Enc(Value::String("a")) + Enc(Value::Number(2));
  std::string k2 = Enc(Value::String("ab")) + Enc(Value::Number(1));
  EXPECT_LT(k1, k2);
}

TEST(KeyFormatTest, NullsSortFirstForEveryKind) {
  std::string null = Enc(Value());
  EXPECT_LT(null, Enc(Value::Bool(false)));
  EXPECT_LT(null, Enc(Value::Number(-std::numeric_limits<double>::infinity())));
  EXPECT_LT(null, Enc(Value::String("")));
  EXPECT_LT(null, Enc(Value::DateTime(std::numeric_limits<int64_t>::min())));
  EXPECT_LT(null, Enc(Value::Id(1)));
  EXPECT_TRUE(Dec(null, ValueKind::kString).is_null());
}

TEST(KeyFormatTest, BoolsAndIds) {
  EXPECT_LT(Enc(Value::Bool(false)), Enc(Value::Bool(true)));
  EXPECT_LT(Enc(Value::Id(9)), Enc(Value::Id(10)));
  EXPECT_LT(Enc(Value::Id(255)), Enc(Value::Id(256)));
  EXPECT_EQ(Dec(Enc(Value::Id(123456789)), ValueKind::kId).as_id(), 123456789u);
  EXPECT_TRUE(Dec(Enc(Value::Bool(true)), ValueKind::kBool).as_bool());
}

TEST(KeyFormatTest, MalformedInputIsRejected) {
  Value v;
  std::string_view empty;
  EXPECT_FALSE(ConsumeValue(&empty, ValueKind::kNumber, &v));
  std::string bad_tag = "\x07";
  std::string_view in = bad_tag;
  EXPECT_FALSE(ConsumeValue(&in, ValueKind::kNumber, &v));
  std::string truncated = Enc(Value::Number(5)).substr(0, 5);
  in = truncated;
  EXPECT_FALSE(ConsumeValue(&in, ValueKind::kNumber, &v));
  std::string unterminated =
      "\x01"
      "abc";
  in = unterminated;
  EXPECT_FALSE(ConsumeValue(&in, ValueKind::kString, &v));
}

TEST(KeyFormatTest, RecordKeysOrderByModelThenId) {
  EXPECT_LT(RecordKey(1, 500), RecordKey(2, 1));
  EXPECT_LT(RecordKey(1, 255), RecordKey(1, 256));
  uint32_t m;
  uint64_t id;
  ASSERT_TRUE(ParseRecordKey(RecordKey(7, 1ull << 40), &m, &id));
  EXPECT_EQ(m, 7u);
  EXPECT_EQ(id, 1ull << 40);
  EXPECT_FALSE(ParseRecordKey("short", &m, &id));
}

TEST(KeyFormatTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
  std::string p = IndexPrefix(5);
  EXPECT_LT(p + "\xff\xff\xff", PrefixSuccessor(p));
  EXPECT_EQ(PrefixSuccessor(p), IndexPrefix(6));
}

}  // namespace
}  // namespace actiondb::engine::keys
