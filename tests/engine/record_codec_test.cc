#include "engine/record_codec.h"

#include <gtest/gtest.h>

namespace actiondb::engine {
namespace {

TEST(RecordCodecTest, RoundTripsEveryKind) {
  StoredFields in = {{20, Value::String("hello\0world")},
                     {17, Value::Number(-2.5)},
                     {18, Value::Bool(true)},
                     {19, Value::DateTime(1700000000123)},
                     {21, Value::Id(42)},
                     {22, Value::StringList({"a", "b", ""})},
                     {23, Value::Json("{\"k\":[1,2]}")},
                     {24, Value::String("")}};
  std::string bytes = EncodeRecord(in);
  auto rv = RecordView::Parse(bytes, 9, "post");
  ASSERT_TRUE(rv.ok()) << rv.status().ToString();
  EXPECT_EQ(rv->id(), 9u);
  for (const auto& [id, v] : in) EXPECT_EQ(rv->Get(id), v) << id;
  EXPECT_TRUE(rv->Get(99).is_null());
  EXPECT_FALSE(rv->Has(99));
  auto all = rv->All();
  ASSERT_EQ(all.size(), in.size());
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].first, all[i].first);
}

TEST(RecordCodecTest, NullsAreNotStored) {
  std::string with_null = EncodeRecord({{16, Value::String("x")}, {17, Value()}});
  std::string without = EncodeRecord({{16, Value::String("x")}});
  EXPECT_EQ(with_null, without);
}

TEST(RecordCodecTest, CorruptBytesAreAnErrorNotACrash) {
  std::string bytes = EncodeRecord({{16, Value::String("some text")}, {17, Value::Number(1)}});
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    auto rv = RecordView::Parse(bad, 3, "post");
    ASSERT_FALSE(rv.ok()) << "flip at byte " << i << " went unnoticed";
    EXPECT_EQ(rv.status().code(), Code::kInvalidStoredData);
    EXPECT_NE(rv.status().message().find("post record 3"), std::string::npos);
  }
  EXPECT_FALSE(RecordView::Parse(bytes.substr(0, 10), 3, "post").ok());
  EXPECT_FALSE(RecordView::Parse("", 3, "post").ok());
}

// A record whose header checksum matches bytes that are not a FlatBuffer (an encoder bug, or a
// checksum forged on disk): the read paths trust a matching checksum, the verifying parse (the
// consistency checker's) does not.
TEST(RecordCodecTest, VerifiedParseRejectsAForgedChecksum) {
  const std::string fb = "this is not a flatbuffer at all";
  uint32_t sum = RecordChecksum(fb);
  std::string bytes = std::string("\x01\0\0\0", 4);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(sum >> (8 * i)));
  bytes += fb;
  EXPECT_TRUE(RecordView::Parse(bytes, 5, "post").ok());
  auto verified = RecordView::ParseVerified(bytes, 5, "post");
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), Code::kInvalidStoredData);
  EXPECT_NE(verified.status().message().find("post record 5"), std::string::npos);
  EXPECT_NE(verified.status().message().find("invalid FlatBuffer"), std::string::npos);

  std::string good = EncodeRecord({{16, Value::String("fine")}, {17, Value::Number(3)}});
  auto ok = RecordView::ParseVerified(good, 6, "post");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->Get(16), Value::String("fine"));
}

}  // namespace
}  // namespace actiondb::engine
