// Cursor encoding (see cursor.h for the format).
#include "query/cursor.h"

#include <array>

#include "engine/key_format.h"

namespace actiondb::query {

namespace keys = engine::keys;

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kCursorVersion = 1;
constexpr size_t kHeaderSize = 1 + 8;

// Maps a character to its 6-bit value; 0xFF for characters outside the alphabet.
constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 0xFF;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

uint64_t Fingerprint(std::string_view shape) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : shape) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

ValueKind KeyKind(const engine::FieldInfo& f) {
  return f.id() == kIdFieldId ? ValueKind::kId : f.kind;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  char* o = out.data();  // written in place: every row of a page carries a cursor
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (rest == 2) v |= uint32_t{in[i + 1]} << 8;
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t v = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return std::nullopt;
      ++pad;
      continue;
    }
    if (pad) return std::nullopt;
    uint8_t d = kDecode[static_cast<uint8_t>(c)];
    if (d == 0xFF) return std::nullopt;
    v = (v << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((v >> bits) & 0xFF));
    }
  }
  return out;
}

CursorCodec::CursorCodec(std::string_view shape, const BoundSort& sort)
    : fingerprint_(Fingerprint(shape)), sort_(sort) {}

std::string CursorCodec::Encode(const Position& position) const {
  std::string bytes;
  bytes.reserve(kHeaderSize + 10 * sort_.keys.size());
  bytes.push_back(static_cast<char>(kCursorVersion));
  keys::PutBE64(&bytes, fingerprint_);
  for (size_t i = 0; i < sort_.keys.size(); ++i) keys::AppendValue(&bytes, position.values[i]);
  return Base64Encode(bytes);
}

Result<Position> CursorCodec::Decode(std::string_view cursor,
                                     const engine::ModelInfo& model) const {
  auto bad = [&](const std::string& why) {
    std::string shown(cursor.substr(0, 40));
    return Status(Code::kInvalidCursor,
                  model.api_identifier + ": invalid cursor \"" + shown + "\": " + why);
  };
  auto bytes = Base64Decode(cursor);
  if (!bytes) return bad("not base64");
  if (bytes->size() < kHeaderSize || static_cast<uint8_t>((*bytes)[0]) != kCursorVersion)
    return bad("not a cursor");
  if (keys::GetBE64(bytes->data() + 1) != fingerprint_)
    return bad("it belongs to a query with a different filter or sort");
  std::string_view in(*bytes);
  in.remove_prefix(kHeaderSize);
  Position p;
  p.values.resize(sort_.keys.size());
  for (size_t i = 0; i < sort_.keys.size(); ++i) {
    const engine::FieldInfo* f = sort_.keys[i].field;
    // A null field is a search ranking key (typos, relevance), a number. The tuple encoding is
    // prefix-free, so a value of another kind or a truncated one fails here or leaves bytes over;
    // the id is never null.
    ValueKind kind = f ? KeyKind(*f) : ValueKind::kNumber;
    if (!keys::ConsumeValue(&in, kind, &p.values[i]) ||
        (f && f->id() == kIdFieldId && p.values[i].is_null()) || (!f && p.values[i].is_null())) {
      return bad(f ? "bad value for " + f->name() : std::string("bad search rank"));
    }
  }
  if (!in.empty()) return bad("it belongs to a query with a different sort");
  return p;
}

std::string EncodeCursor(std::string_view shape, const BoundSort& sort, const Position& position) {
  return CursorCodec(shape, sort).Encode(position);
}

Result<Position> DecodeCursor(std::string_view cursor, std::string_view shape,
                              const BoundSort& sort, const engine::ModelInfo& model) {
  return CursorCodec(shape, sort).Decode(cursor, model);
}

}  // namespace actiondb::query
