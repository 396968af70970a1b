// Order-preserving tuple encodings (layout in key_format.h).
#include "engine/key_format.h"

#include <cassert>
#include <cstring>

namespace actiondb::engine::keys {

uint64_t NumberToOrderedBits(double d) {
  if (d == 0.0) d = 0.0;  // -0 sorts and compares equal to +0
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

double OrderedBitsToNumber(uint64_t u) {
  u = (u & 0x8000000000000000ULL) ? (u & ~0x8000000000000000ULL) : ~u;
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

void AppendValue(std::string* out, const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      out->push_back(kNullTag);
      return;
    case ValueKind::kBool:
      out->push_back(kPresentTag);
      out->push_back(v.as_bool() ? 1 : 0);
      return;
    case ValueKind::kNumber:
      out->push_back(kPresentTag);
      PutBE64(out, NumberToOrderedBits(v.as_number()));
      return;
    case ValueKind::kDateTime:
      out->push_back(kPresentTag);
      PutBE64(out, static_cast<uint64_t>(v.as_datetime()) ^ 0x8000000000000000ULL);
      return;
    case ValueKind::kId:
      out->push_back(kPresentTag);
      PutBE64(out, v.as_id());
      return;
    case ValueKind::kString: {
      out->push_back(kPresentTag);
      const std::string& s = v.as_string();
      for (char c : s) {
        out->push_back(c);
        if (c == 0) out->push_back(static_cast<char>(0xFF));
      }
      out->push_back(0x00);
      out->push_back(0x01);
      return;
    }
    case ValueKind::kStringList:
    case ValueKind::kJson:
      assert(false && "not an indexable kind");
      out->push_back(kNullTag);
      return;
  }
}

bool ConsumeValue(std::string_view* in, ValueKind kind, Value* out) {
  if (in->empty()) return false;
  char tag = (*in)[0];
  in->remove_prefix(1);
  if (tag == kNullTag) {
    *out = Value();
    return true;
  }
  if (tag != kPresentTag) return false;
  switch (kind) {
    case ValueKind::kBool:
      if (in->empty()) return false;
      *out = Value::Bool((*in)[0] != 0);
      in->remove_prefix(1);
      return true;
    case ValueKind::kNumber:
      if (in->size() < 8) return false;
      *out = Value::Number(OrderedBitsToNumber(GetBE64(in->data())));
      in->remove_prefix(8);
      return true;
    case ValueKind::kDateTime:
      if (in->size() < 8) return false;
      *out = Value::DateTime(static_cast<int64_t>(GetBE64(in->data()) ^ 0x8000000000000000ULL));
      in->remove_prefix(8);
      return true;
    case ValueKind::kId:
      if (in->size() < 8) return false;
      *out = Value::Id(GetBE64(in->data()));
      in->remove_prefix(8);
      return true;
    case ValueKind::kString: {
      std::string s;
      size_t i = 0;
      while (true) {
        if (i + 1 >= in->size()) return false;
        char c = (*in)[i];
        if (c == 0) {
          char next = (*in)[i + 1];
          if (next == 0x01) {
            i += 2;
            break;
          }
          if (next != static_cast<char>(0xFF)) return false;
          s.push_back(0);
          i += 2;
          continue;
        }
        s.push_back(c);
        ++i;
      }
      in->remove_prefix(i);
      *out = Value::String(std::move(s));
      return true;
    }
    default:
      return false;
  }
}

std::string RecordKey(uint32_t model_id, uint64_t record_id) {
  std::string k;
  k.reserve(12);
  PutBE32(&k, model_id);
  PutBE64(&k, record_id);
  return k;
}

std::string ModelPrefix(uint32_t model_id) {
  std::string k;
  PutBE32(&k, model_id);
  return k;
}

bool ParseRecordKey(std::string_view key, uint32_t* model_id, uint64_t* record_id) {
  if (key.size() != 12) return false;
  *model_id = GetBE32(key.data());
  *record_id = GetBE64(key.data() + 4);
  return true;
}

std::string IndexPrefix(uint32_t index_id) {
  std::string k;
  PutBE32(&k, index_id);
  return k;
}

std::string PrefixSuccessor(std::string_view p) {
  std::string s(p);
  while (!s.empty()) {
    unsigned char c = static_cast<unsigned char>(s.back());
    if (c != 0xFF) {
      s.back() = static_cast<char>(c + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

std::string IdCounterKey(uint32_t model_id) {
  std::string k = "H";
  PutBE32(&k, model_id);
  return k;
}

std::string AtomicPrefix(uint32_t model_id, uint64_t record_id) {
  std::string k = "A";
  PutBE32(&k, model_id);
  PutBE64(&k, record_id);
  return k;
}

std::string AtomicKey(uint32_t model_id, uint64_t record_id, uint16_t field_id) {
  std::string k = AtomicPrefix(model_id, record_id);
  PutBE16(&k, field_id);
  return k;
}

std::string SearchPostingModelPrefix(uint32_t model_id) {
  std::string k = "P";
  PutBE32(&k, model_id);
  return k;
}

namespace {
// 'P' modelId:BE32 term 0x00, built in place with room for `extra` more bytes (one allocation
// at most: a bulk load builds ~50 posting keys per record).
std::string PostingPrefixWithRoom(uint32_t model_id, std::string_view term, size_t extra) {
  std::string k;
  k.reserve(6 + term.size() + extra);
  k.push_back('P');
  PutBE32(&k, model_id);
  k.append(term);
  k.push_back('\0');
  return k;
}
}  // namespace

std::string SearchPostingPrefix(uint32_t model_id, std::string_view term) {
  return PostingPrefixWithRoom(model_id, term, 0);
}

std::string SearchPostingKey(uint32_t model_id, std::string_view term, uint64_t record_id) {
  std::string k = PostingPrefixWithRoom(model_id, term, 8);
  PutBE64(&k, record_id);
  return k;
}

std::string SearchDocPrefix(uint32_t model_id) {
  std::string k = "D";
  PutBE32(&k, model_id);
  return k;
}

std::string SearchDocKey(uint32_t model_id, uint64_t record_id) {
  std::string k = SearchDocPrefix(model_id);
  PutBE64(&k, record_id);
  return k;
}

std::string SearchMetaKey(uint32_t model_id) {
  std::string k = "M";
  PutBE32(&k, model_id);
  return k;
}

std::string SearchStatsPrefix(uint32_t model_id) {
  std::string k = "F";
  PutBE32(&k, model_id);
  return k;
}

namespace {
// 'F' modelId:BE32 kind text: every statistics key, built in place.
std::string SearchStatsKey(uint32_t model_id, char kind, std::string_view text) {
  std::string k;
  k.reserve(6 + text.size());
  k.push_back('F');
  PutBE32(&k, model_id);
  k.push_back(kind);
  k.append(text);
  return k;
}
}  // namespace

std::string SearchDocCountKey(uint32_t model_id) { return SearchStatsKey(model_id, 'N', {}); }

std::string SearchFieldTokensKey(uint32_t model_id, uint16_t field_id) {
  std::string k = SearchStatsKey(model_id, 'L', {});
  PutBE16(&k, field_id);
  return k;
}

std::string SearchDfPrefix(uint32_t model_id) { return SearchStatsKey(model_id, 'T', {}); }

std::string SearchDfKey(uint32_t model_id, std::string_view term) {
  return SearchStatsKey(model_id, 'T', term);
}

std::string SearchSurfacePrefix(uint32_t model_id) { return SearchStatsKey(model_id, 'S', {}); }

std::string SearchSurfaceKey(uint32_t model_id, std::string_view surface) {
  return SearchStatsKey(model_id, 'S', surface);
}

bool ParseSearchDictionaryKey(std::string_view key, uint32_t* model_id, bool* surface,
                              std::string_view* term) {
  if (key.size() < 6 || key[0] != 'F' || (key[5] != 'T' && key[5] != 'S')) return false;
  *model_id = GetBE32(key.data() + 1);
  *surface = key[5] == 'S';
  *term = key.substr(6);
  return true;
}

std::string Printable(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace actiondb::engine::keys
