// Cursor encoding (see cursor.h for the format).
#include "query/cursor.h"

#include <nlohmann/json.hpp>

#include "engine/json_value.h"

namespace actiondb::query {

using json = nlohmann::json;

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Fingerprint(std::string_view shape) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : shape) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[i] = kHex[h & 15];
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (rest == 2) v |= uint8_t(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  uint32_t v = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    int d;
    if (c == '=') {
      if (i + 2 < text.size()) return std::nullopt;
      ++pad;
      continue;
    }
    if (pad) return std::nullopt;
    if (c >= 'A' && c <= 'Z')
      d = c - 'A';
    else if (c >= 'a' && c <= 'z')
      d = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      d = c - '0' + 52;
    else if (c == '+')
      d = 62;
    else if (c == '/')
      d = 63;
    else
      return std::nullopt;
    v = (v << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((v >> bits) & 0xFF));
    }
  }
  return out;
}

std::string EncodeCursor(std::string_view shape, const BoundSort& sort, const Position& position) {
  json k = json::array();
  for (size_t i = 0; i < sort.keys.size(); ++i) k.push_back(ValueToJson(position.values[i]));
  json j = {{"f", Fingerprint(shape)}, {"k", std::move(k)}};
  return Base64Encode(j.dump());
}

Result<Position> DecodeCursor(std::string_view cursor, std::string_view shape,
                              const BoundSort& sort, const engine::ModelInfo& model) {
  auto bad = [&](const std::string& why) {
    std::string shown(cursor.substr(0, 40));
    return Status(Code::kInvalidCursor,
                  model.api_identifier + ": invalid cursor \"" + shown + "\": " + why);
  };
  auto bytes = Base64Decode(cursor);
  if (!bytes) return bad("not base64");
  json j = json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("f") || !j.contains("k") ||
      !j["k"].is_array()) {
    return bad("not a cursor");
  }
  if (j["f"] != Fingerprint(shape))
    return bad("it belongs to a query with a different filter or sort");
  const json& k = j["k"];
  if (k.size() != sort.keys.size()) return bad("it belongs to a query with a different sort");
  Position p;
  for (size_t i = 0; i < sort.keys.size(); ++i) {
    const engine::FieldInfo* f = sort.keys[i].field;
    if (!f) {  // the search relevance score
      if (!k[i].is_number()) return bad("bad relevance score");
      p.values.push_back(Value::Number(k[i].get<double>()));
      continue;
    }
    auto v =
        ValueFromJson(k[i], f->type(), f->def.enum_multi, model.api_identifier + "." + f->name());
    if (!v.ok() || (f->id() == kIdFieldId && v->is_null()))
      return bad("bad value for " + f->name());
    // richText decodes as a {markdown} object or string; normalize to its markdown string.
    p.values.push_back(std::move(v).value());
  }
  return p;
}

}  // namespace actiondb::query
