#include <gtest/gtest.h>

#include "actiondb/schema.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

TEST(SchemaTest, ParsesTheIssueShape) {
  auto s = ParseSchemaJson(
      R"({"models": {"post": {"plural": "posts", "fields": {"title": {"type": "string",
     "validations": {"required": true}}, "score": {"type": "number"}, "author": {"type":
     "belongsTo", "model": "user"}}}}})");
  ASSERT_OK(s);
  ASSERT_EQ(s->models.size(), 1u);
  const ModelDef& m = s->models[0];
  EXPECT_EQ(m.api_identifier, "post");
  EXPECT_EQ(m.plural, "posts");
  ASSERT_EQ(m.fields.size(), 3u);
  EXPECT_EQ(m.fields[0].api_identifier, "title");  // declaration order is kept
  EXPECT_TRUE(m.fields[0].validations.required);
  EXPECT_EQ(m.fields[1].type, FieldType::kNumber);
  EXPECT_EQ(m.fields[2].type, FieldType::kBelongsTo);
  EXPECT_EQ(m.fields[2].related_model, "user");
}

TEST(SchemaTest, ParsesEverythingAndRoundTrips) {
  Schema s = testing::BlogSchema();
  ASSERT_EQ(s.models.size(), 3u);
  const FieldDef* email = s.FindModel("user")->FindField("email");
  ASSERT_NE(email, nullptr);
  EXPECT_TRUE(email->validations.unique);
  const FieldDef* roles = s.FindModel("user")->FindField("roles");
  ASSERT_TRUE(roles->default_value.has_value());
  EXPECT_EQ(*roles->default_value, Value::StringList({"signed-in"}));
  const FieldDef* title = s.FindModel("post")->FindField("title");
  EXPECT_EQ(title->validations.max_length, 200u);
  EXPECT_EQ(s.synonyms.size(), 2u);
  auto again = ParseSchemaJson(SchemaToJson(s));
  ASSERT_OK(again);
  EXPECT_EQ(*again, s);
}

TEST(SchemaTest, EnumAndValidations) {
  auto s = ParseSchemaJson(R"({"models": {"ticket": {"fields": {
      "status": {"type": "enum", "options": ["open", "closed"], "default": "open"},
      "tags": {"type": "enum", "options": ["a", "b"], "multi": true},
      "code": {"type": "string", "validations": {"regex": "^[A-Z]{3}$", "stringLength": {"min": 3, "max": 3}}},
      "price": {"type": "number", "validations": {"numberRange": {"min": 0, "max": 100}}}}}}})");
  ASSERT_OK(s);
  const ModelDef& m = s->models[0];
  EXPECT_EQ(m.plural, "tickets");
  EXPECT_EQ(m.FindField("status")->enum_options.size(), 2u);
  EXPECT_TRUE(m.FindField("tags")->enum_multi);
  EXPECT_EQ(*m.FindField("code")->validations.regex, "^[A-Z]{3}$");
  EXPECT_EQ(*m.FindField("price")->validations.max_value, 100);
}

struct BadSchema {
  const char* json;
  const char* expect_in_message;
};

class BadSchemaTest : public ::testing::TestWithParam<BadSchema> {};

TEST_P(BadSchemaTest, IsRejectedWithAClearMessage) {
  auto s = ParseSchemaJson(GetParam().json);
  ASSERT_FALSE(s.ok()) << GetParam().json;
  EXPECT_EQ(s.status().code(), Code::kInvalidSchema);
  EXPECT_NE(s.status().message().find(GetParam().expect_in_message), std::string::npos)
      << s.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadSchemaTest,
    ::testing::Values(
        BadSchema{"not json", "not valid JSON"}, BadSchema{"[]", "must be a JSON object"},
        BadSchema{R"({"modelz": {}})", "unknown key \"modelz\""},
        BadSchema{R"({"models": {"post": {"fields": {"t": {"type": "strng"}}}}})",
                  "field post.t: unknown field type \"strng\""},
        BadSchema{R"({"models": {"post": {"fields": {"t": {}}}}})", "field post.t"},
        BadSchema{R"({"models": {"post": {"fields": {"s": {"type": "enum"}}}}})",
                  "needs \"options\""},
        BadSchema{R"({"models": {"post": {"fields": {"a": {"type": "belongsTo"}}}}})",
                  "needs \"model\""},
        BadSchema{R"({"models": {"post": {"fields": {"id": {"type": "string"}}}}})",
                  "system field"},
        BadSchema{
            R"({"models": {"post": {"fields": {"t": {"type": "string", "validations": {"requird": true}}}}}})",
            "unknown key \"requird\""},
        BadSchema{
            R"({"models": {"post": {"fields": {"t": {"type": "string", "validations": {"regex": "("}}}}}})",
            "not a valid regular expression"},
        BadSchema{
            R"({"models": {"post": {"fields": {"n": {"type": "number", "default": "abc"}}}}})",
            "post.n.default"},
        BadSchema{
            R"({"models": {"post": {"fields": {"t": {"type": "string", "validations": {"stringLength": {"min": 5, "max": 2}}}}}}})",
            "min > max"},
        BadSchema{R"({"models": {"9post": {}}})", "identifier"},
        BadSchema{
            R"({"models": {"post": {"fields": {"c": {"type": "hasMany", "model": "comment"}}}}})",
            "inverseField"},
        BadSchema{R"({"synonyms": [["alone"]]})", "at least two words"}));

TEST(DateTimeTest, FormatsAndParses) {
  EXPECT_EQ(FormatDateTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatDateTime(1577836800123), "2020-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatDateTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(*ParseDateTime("2020-01-01T00:00:00.123Z"), 1577836800123);
  EXPECT_EQ(*ParseDateTime("2020-01-01"), 1577836800000);
  EXPECT_EQ(*ParseDateTime("2020-01-01T02:00:00+02:00"), 1577836800000);
  EXPECT_EQ(*ParseDateTime("2020-01-01T00:00:00.123456Z"), 1577836800123);
  EXPECT_EQ(*ParseDateTime("2024-02-29T12:30Z"), *ParseDateTime("2024-02-29T12:30:00.000Z"));
  for (const char* bad : {"", "2020", "2020-13-01", "2023-02-29", "2020-01-01T25:00Z",
                          "2020-01-01Tx", "2020-01-01T00:00:00Zjunk", "yesterday"}) {
    auto r = ParseDateTime(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    }
  }
  for (int64_t t :
       {int64_t{0}, int64_t{951782400000}, int64_t{-62135596800000}, int64_t{253402300799999}}) {
    EXPECT_EQ(*ParseDateTime(FormatDateTime(t)), t) << t;
  }
  // Years 0-9999 are written digit by digit; the others (not ISO-8601's four digits) by printf.
  EXPECT_EQ(FormatDateTime(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatDateTime(253402300800000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatDateTime(-62167219200000), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatDateTime(-62167219200001), "-001-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatDateTime(1709209805007), "2024-02-29T12:30:05.007Z");
  // Every field at every width, over the calendar: the text parses back to the same instant.
  uint64_t x = 1;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    // Uniform over years 0-9999.
    const int64_t t =
        static_cast<int64_t>((x >> 1) % (253402300800000 + 62167219200000)) - 62167219200000;
    const std::string text = FormatDateTime(t);
    ASSERT_EQ(text.size(), 24u) << t;
    ASSERT_EQ(*ParseDateTime(text), t) << text;
  }
}

}  // namespace
}  // namespace actiondb
