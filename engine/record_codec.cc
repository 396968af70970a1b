// FlatBuffers record encoding (layout in record_codec.h).
#include "engine/record_codec.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "record_generated.h"

namespace actiondb::engine {

namespace {
Value FromFb(const fb::FieldValue* fv) {
  switch (static_cast<ValueKind>(fv->kind())) {
    case ValueKind::kBool:
      return Value::Bool(fv->b());
    case ValueKind::kNumber:
      return Value::Number(fv->num());
    case ValueKind::kString:
      return Value::String(fv->str() ? fv->str()->str() : std::string());
    case ValueKind::kJson:
      return Value::Json(fv->str() ? fv->str()->str() : std::string("null"));
    case ValueKind::kDateTime:
      return Value::DateTime(fv->i64());
    case ValueKind::kId:
      return Value::Id(static_cast<uint64_t>(fv->i64()));
    case ValueKind::kStringList: {
      std::vector<std::string> items;
      if (fv->list()) {
        items.reserve(fv->list()->size());
        for (const auto* s : *fv->list()) items.push_back(s->str());
      }
      return Value::StringList(std::move(items));
    }
    case ValueKind::kNull:
      break;
  }
  return Value();
}
}  // namespace

std::string EncodeRecord(StoredFields fields) {
  std::sort(fields.begin(), fields.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  flatbuffers::FlatBufferBuilder fbb(256);
  std::vector<flatbuffers::Offset<fb::FieldValue>> offs;
  offs.reserve(fields.size());
  for (const auto& [id, v] : fields) {
    if (v.is_null()) continue;
    flatbuffers::Offset<flatbuffers::String> str;
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>> list;
    if (v.kind() == ValueKind::kString || v.kind() == ValueKind::kJson) {
      str = fbb.CreateString(v.as_string());
    } else if (v.kind() == ValueKind::kStringList) {
      list = fbb.CreateVectorOfStrings(v.as_list());
    }
    fb::FieldValueBuilder b(fbb);
    b.add_id(id);
    b.add_kind(static_cast<uint8_t>(v.kind()));
    switch (v.kind()) {
      case ValueKind::kBool:
        b.add_b(v.as_bool());
        break;
      case ValueKind::kNumber:
        b.add_num(v.as_number());
        break;
      case ValueKind::kDateTime:
        b.add_i64(v.as_datetime());
        break;
      case ValueKind::kId:
        b.add_i64(static_cast<int64_t>(v.as_id()));
        break;
      case ValueKind::kString:
      case ValueKind::kJson:
        b.add_str(str);
        break;
      case ValueKind::kStringList:
        b.add_list(list);
        break;
      case ValueKind::kNull:
        break;
    }
    offs.push_back(b.Finish());
  }
  auto vec = fbb.CreateVector(offs);
  fb::RecordBuilder rb(fbb);
  rb.add_fields(vec);
  fbb.Finish(rb.Finish());

  std::string out(kRecordHeaderSize, '\0');
  out[0] = static_cast<char>(kRecordFormatVersion);
  const char* data = reinterpret_cast<const char*>(fbb.GetBufferPointer());
  uint32_t sum = RecordChecksum(std::string_view(data, fbb.GetSize()));
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<char>(sum >> (8 * i));
  out.append(data, fbb.GetSize());
  return out;
}

namespace {
Status CorruptRecord(const std::string& what, uint64_t id, const char* why) {
  return Status(Code::kInvalidStoredData,
                what + " record " + std::to_string(id) + " is corrupt on disk (" + why + ")");
}
}  // namespace

// Format 2: XXH3 (XXH32 was 9% of a cached point get; BM_ParseRecord /20 112 -> 69 ns).
// Format 1's XXH32 is kept for the records written before.
uint32_t RecordChecksum(std::string_view flatbuffer, uint8_t version) {
  constexpr uint32_t kSeed = 0x41444231u;
  if (version == kRecordFormatVersion1) return XXH32(flatbuffer.data(), flatbuffer.size(), kSeed);
  return static_cast<uint32_t>(XXH3_64bits_withSeed(flatbuffer.data(), flatbuffer.size(), kSeed));
}

Result<RecordView> RecordView::Parse(std::string bytes, uint64_t id, const std::string& what) {
  auto corrupt = [&](const char* why) { return CorruptRecord(what, id, why); };
  if (bytes.size() < kRecordHeaderSize + 8) return corrupt("too short");
  const uint8_t version = static_cast<uint8_t>(bytes[0]);
  if (version != kRecordFormatVersion && version != kRecordFormatVersion1)
    return corrupt("unknown format version");
  if (bytes[1] != 0 || bytes[2] != 0 || bytes[3] != 0) return corrupt("bad header");
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i)
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[4 + i])) << (8 * i);
  const char* fbdata = bytes.data() + kRecordHeaderSize;
  size_t fbsize = bytes.size() - kRecordHeaderSize;
  if (RecordChecksum(std::string_view(fbdata, fbsize), version) != stored) {
    return corrupt("checksum mismatch");
  }
  RecordView v;
  v.bytes_ = std::move(bytes);
  v.id_ = id;
  return v;
}

Result<RecordView> RecordView::ParseVerified(std::string bytes, uint64_t id,
                                             const std::string& what) {
  ASSIGN_OR_RETURN(RecordView v, Parse(std::move(bytes), id, what));
  const char* fbdata = v.bytes_.data() + kRecordHeaderSize;
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(fbdata),
                                 v.bytes_.size() - kRecordHeaderSize);
  if (!verifier.VerifyBuffer<fb::Record>(nullptr)) {
    return CorruptRecord(what, id, "invalid FlatBuffer");
  }
  return v;
}

const fb::Record* RecordView::root() const {
  return flatbuffers::GetRoot<fb::Record>(bytes_.data() + kRecordHeaderSize);
}

Value RecordView::Get(uint16_t field_id) const {
  const fb::FieldValue* fv = nullptr;
  if (!bytes_.empty()) {
    const auto* fields = root()->fields();
    fv = fields ? fields->LookupByKey(field_id) : nullptr;
  }
  return Resolve(field_id, fv);
}

Value RecordView::Resolve(uint16_t field_id, const fb::FieldValue* stored) const {
  // Without deltas (nearly always), the value is built in the caller's slot: a Value is ~90
  // bytes with a string and a vector, and each move of one costs about as much as the lookup.
  if (deltas_.empty()) return stored ? FromFb(stored) : Value();
  Value v;
  if (stored) v = FromFb(stored);
  for (const auto& [fid, delta] : deltas_) {
    if (fid != field_id) continue;
    double base = v.kind() == ValueKind::kNumber ? v.as_number() : 0;
    v = Value::Number(base + delta);
  }
  return v;
}

void RecordView::Locate(std::span<const uint16_t> field_ids, const fb::FieldValue** found) const {
  for (size_t i = 0; i < field_ids.size(); ++i) found[i] = nullptr;
  if (bytes_.empty()) return;
  const auto* fields = root()->fields();
  if (!fields) return;
  const size_t n = fields->size();
  if (n > kGetEachMax) {
    for (size_t i = 0; i < field_ids.size(); ++i) found[i] = fields->LookupByKey(field_ids[i]);
    return;
  }
  uint16_t stored[kGetEachMax];  // the stored ids, ascending (the FlatBuffer's key order)
  for (size_t k = 0; k < n; ++k)
    stored[k] = fields->Get(static_cast<flatbuffers::uoffset_t>(k))->id();
  // Callers ask mostly in ascending id order (schema order lists fields as they were
  // created), so each search starts after the previous hit and goes back only when needed.
  size_t k = 0;
  for (size_t i = 0; i < field_ids.size(); ++i) {
    const uint16_t want = field_ids[i];
    if (k >= n || stored[k] > want) k = 0;
    while (k < n && stored[k] < want) ++k;
    if (k < n && stored[k] == want) {
      found[i] = fields->Get(static_cast<flatbuffers::uoffset_t>(k));
      ++k;
    }
  }
}

void RecordView::AddDelta(uint16_t field_id, double delta) {
  deltas_.emplace_back(field_id, delta);
}

bool RecordView::Has(uint16_t field_id) const {
  for (const auto& d : deltas_) {
    if (d.first == field_id) return true;
  }
  if (bytes_.empty()) return false;
  const auto* fields = root()->fields();
  return fields && fields->LookupByKey(field_id) != nullptr;
}

StoredFields RecordView::All() const {
  StoredFields out;
  if (bytes_.empty()) return out;
  const auto* fields = root()->fields();
  if (!fields) return out;
  out.reserve(fields->size());
  for (const auto* fv : *fields) out.emplace_back(fv->id(), FromFb(fv));
  return out;
}

}  // namespace actiondb::engine
