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

// GetEach reads the field list once; whatever the order of the ids asked for (ascending,
// descending, repeated, absent, more than it handles on the stack), it returns what Get does,
// pending deltas included.
TEST(RecordCodecTest, GetEachAgreesWithGet) {
  for (size_t stored_count : {size_t{0}, size_t{1}, size_t{9}, size_t{80}}) {
    StoredFields in;
    for (size_t i = 0; i < stored_count; ++i) {
      const auto id = static_cast<uint16_t>(3 * i + 2);  // gaps: 3, 4, 6, 7... are absent
      if (i % 3 == 0)
        in.emplace_back(id, Value::Number(static_cast<double>(i)));
      else
        in.emplace_back(id, Value::String("v" + std::to_string(i)));
    }
    auto rv = RecordView::Parse(EncodeRecord(in), 5, "post");
    ASSERT_TRUE(rv.ok()) << rv.status().ToString();
    rv->AddDelta(2, 1.5);   // a stored number
    rv->AddDelta(4, -3);    // absent: counts from 0
    rv->AddDelta(2, 0.25);  // deltas add up
    uint32_t seed = 7;
    for (int round = 0; round < 50; ++round) {
      std::vector<uint16_t> ask;
      const size_t n = round == 0 ? 0 : 1 + seed % 90;
      for (size_t i = 0; i < n; ++i) {
        seed = seed * 1103515245u + 12345u;
        if (round % 3 == 0)
          ask.push_back(static_cast<uint16_t>(i * 2));  // ascending
        else
          ask.push_back(static_cast<uint16_t>((seed >> 16) % 250));  // any order, repeats
      }
      std::vector<Value> got(ask.size());
      std::vector<bool> seen(ask.size(), false);
      rv->GetEach(ask, [&](size_t i, Value v) {
        ASSERT_LT(i, ask.size());
        EXPECT_FALSE(seen[i]) << i;
        seen[i] = true;
        got[i] = std::move(v);
      });
      for (size_t i = 0; i < ask.size(); ++i) {
        EXPECT_TRUE(seen[i]) << "stored " << stored_count << " asked " << ask[i];
        EXPECT_EQ(got[i], rv->Get(ask[i])) << "stored " << stored_count << " field " << ask[i];
      }
    }
    std::vector<uint16_t> deltas_only = {4, 2};
    std::vector<Value> got;
    rv->GetEach(deltas_only, [&](size_t, Value v) { got.push_back(std::move(v)); });
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], Value::Number(-3));
    EXPECT_EQ(got[1], Value::Number(1.75));  // 0 stored (or absent) + 1.5 + 0.25
  }
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
  std::string bytes =
      std::string(1, static_cast<char>(kRecordFormatVersion)) + std::string("\0\0\0", 3);
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

// Format 2 checksums with XXH3, format 1 (records written before) with XXH32: each header is
// read by its own checksum, a version with the other's checksum is a mismatch, and an unknown
// version is rejected.
TEST(RecordCodecTest, EachFormatVersionIsCheckedWithItsOwnChecksum) {
  const std::string v2 = EncodeRecord({{16, Value::String("kept")}, {17, Value::Number(7)}});
  ASSERT_EQ(static_cast<uint8_t>(v2[0]), kRecordFormatVersion);
  ASSERT_EQ(kRecordFormatVersion, 2);
  const std::string_view fb = std::string_view(v2).substr(kRecordHeaderSize);
  auto with_header = [&](uint8_t version, uint32_t sum) {
    std::string b = v2;
    b[0] = static_cast<char>(version);
    for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<char>(sum >> (8 * i));
    return b;
  };
  const uint32_t xxh32 = RecordChecksum(fb, kRecordFormatVersion1);
  const uint32_t xxh3 = RecordChecksum(fb, kRecordFormatVersion);
  ASSERT_NE(xxh32, xxh3);
  auto v1 = RecordView::Parse(with_header(kRecordFormatVersion1, xxh32), 4, "post");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->Get(16), Value::String("kept"));
  EXPECT_EQ(v1->Get(17), Value::Number(7));
  for (const auto& [version, sum] :
       {std::pair{kRecordFormatVersion1, xxh3}, std::pair{kRecordFormatVersion, xxh32}}) {
    auto bad = RecordView::Parse(with_header(version, sum), 4, "post");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("checksum mismatch"), std::string::npos);
  }
  auto unknown = RecordView::Parse(with_header(3, xxh3), 4, "post");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown format version"), std::string::npos);
}

}  // namespace
}  // namespace actiondb::engine
