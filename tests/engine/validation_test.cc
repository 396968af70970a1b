#include "engine/validation.h"

#include <gtest/gtest.h>

namespace actiondb::engine {
namespace {

FieldInfo Field(FieldType type, Validations v) {
  FieldInfo f;
  f.def.api_identifier = "f";
  f.def.type = type;
  f.def.validations = std::move(v);
  f.kind = KindOf(type, false);
  return f;
}

std::vector<ValidationError> Validate(const FieldInfo& f, const Value& v) {
  std::vector<ValidationError> errors;
  ValidateFieldValue(f, v, &errors);
  return errors;
}

TEST(ValidationTest, StringLengthCountsCodePoints) {
  Validations v;
  v.min_length = 2;
  v.max_length = 3;
  FieldInfo f = Field(FieldType::kString, v);
  EXPECT_EQ(Validate(f, Value::String("a"))[0].message, "is too short (minimum is 2 characters)");
  EXPECT_TRUE(Validate(f, Value::String("éé")).empty());  // 2 code points, 4 bytes
  EXPECT_EQ(Validate(f, Value::String("abcd"))[0].message, "is too long (maximum is 3 characters)");
  EXPECT_TRUE(Validate(f, Value()).empty());  // null is the required check's business
}

TEST(ValidationTest, RegexMustMatchTheWholeValue) {
  Validations v;
  v.regex = "[A-Z]{3}";
  FieldInfo f = Field(FieldType::kString, v);
  EXPECT_TRUE(Validate(f, Value::String("ABC")).empty());
  EXPECT_EQ(Validate(f, Value::String("xABCx")).size(), 1u);
}

TEST(ValidationTest, NumberRangeIsInclusive) {
  Validations v;
  v.min_value = 0;
  v.max_value = 10;
  FieldInfo f = Field(FieldType::kNumber, v);
  EXPECT_TRUE(Validate(f, Value::Number(0)).empty());
  EXPECT_TRUE(Validate(f, Value::Number(10)).empty());
  EXPECT_EQ(Validate(f, Value::Number(-0.5))[0].message, "must be greater than or equal to 0");
  EXPECT_EQ(Validate(f, Value::Number(10.5))[0].message, "must be less than or equal to 10");
}

TEST(ValidationTest, EmailAndUrlFormats) {
  for (const char* ok : {"a@b.co", "first.last+tag@sub.example.org"})
    EXPECT_TRUE(IsValidEmail(ok)) << ok;
  for (const char* bad :
       {"", "a", "@b.co", "a@", "a@b", "a@@b.co", "a b@c.de", "a@b..co", "a@.b.co"}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
  for (const char* ok : {"https://example.com", "http://a.b/c?d=e#f", "ftp://host"})
    EXPECT_TRUE(IsValidUrl(ok)) << ok;
  for (const char* bad : {"", "example.com", "://x", "http://", "http:// space.com", "1http://x"}) {
    EXPECT_FALSE(IsValidUrl(bad)) << bad;
  }
  FieldInfo email = Field(FieldType::kEmail, {});
  EXPECT_EQ(Validate(email, Value::String("nope"))[0].message, "is not a valid email address");
  FieldInfo url = Field(FieldType::kUrl, {});
  EXPECT_EQ(Validate(url, Value::String("nope"))[0].message, "is not a valid URL");
}

TEST(ValidationTest, Utf8Validity) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Grüße, Привет, 日本語, 🎉"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_EQ(CodePointCount("Grüße"), 5u);
}

}  // namespace
}  // namespace actiondb::engine
