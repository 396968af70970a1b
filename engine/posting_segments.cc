// Posting segments (contract in posting_segments.h).
#include "engine/posting_segments.h"

#include <rocksdb/merge_operator.h>

#include <array>

#include "engine/key_format.h"

namespace actiondb::engine {

namespace {

constexpr size_t kModelPrefix = 5;  // 'P' modelId:BE32
constexpr uint64_t kChunks = kSegmentIds / kChunkIds;

// A varint below 128 (every chunk number and in-chunk offset, most lengths) is one byte: read
// without the loop. Not in GetVarint itself: the branch there cost common-word searches 3-5%
// (BM_Search), which read every posting's fields with it.
inline bool GetSmallVarint(std::string_view* in, uint64_t* v) {
  if (!in->empty() && static_cast<uint8_t>(in->front()) < 0x80) {
    *v = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    return true;
  }
  return keys::GetVarint(in, v);
}

// Steps through a segment's chunk headers; stops (false) at the end or at malformed bytes
// (then malformed() is true).
class ChunkReader {
 public:
  explicit ChunkReader(std::string_view s) : in_(s) {}
  bool Next(uint64_t* number, std::string_view* entries) {
    if (in_.empty() || malformed_) return false;
    uint64_t n = 0, len = 0;
    if (!GetSmallVarint(&in_, &n) || n >= kChunks || (have_last_ && n <= last_) ||
        !GetSmallVarint(&in_, &len) || len == 0 || len > in_.size()) {
      malformed_ = true;
      return false;
    }
    *number = n;
    *entries = in_.substr(0, len);
    in_.remove_prefix(len);
    last_ = n;
    have_last_ = true;
    return true;
  }
  bool malformed() const { return malformed_; }

 private:
  std::string_view in_;
  uint64_t last_ = 0;
  bool have_last_ = false, malformed_ = false;
};

// Decodes one chunk's entries, giving offsets in the block.
class EntryReader {
 public:
  EntryReader(std::string_view entries, uint64_t chunk_number)
      : in_(entries), base_(static_cast<uint16_t>(chunk_number * kChunkIds)) {}
  bool Next(SegmentEntry* e) {
    if (in_.empty() || malformed_) return false;
    uint64_t offset = 0, len = 0;
    if (!GetSmallVarint(&in_, &offset) || offset >= kChunkIds || (have_last_ && offset <= last_) ||
        !GetSmallVarint(&in_, &len) || len > in_.size()) {
      malformed_ = true;
      return false;
    }
    e->offset = static_cast<uint16_t>(base_ + offset);
    e->deleted = len == 0;
    e->posting = in_.substr(0, len);
    in_.remove_prefix(len);
    last_ = static_cast<uint16_t>(offset);
    have_last_ = true;
    return true;
  }
  bool malformed() const { return malformed_; }

 private:
  std::string_view in_;
  uint16_t base_;
  uint16_t last_ = 0;
  bool have_last_ = false, malformed_ = false;
};

// Every entry of a segment, chunk after chunk.
class SegmentReader {
 public:
  explicit SegmentReader(std::string_view s) : chunks_(s), entries_({}, 0) {}
  bool Next(SegmentEntry* e) {
    while (!entries_.Next(e)) {
      if (entries_.malformed()) return false;
      uint64_t number = 0;
      std::string_view body;
      if (!chunks_.Next(&number, &body)) return false;
      entries_ = EntryReader(body, number);
    }
    return true;
  }
  bool malformed() const { return chunks_.malformed() || entries_.malformed(); }

 private:
  ChunkReader chunks_;
  EntryReader entries_;
};

}  // namespace

size_t PostingKeyIdOffset(std::string_view key) {
  if (key.size() < kModelPrefix + 1 + 8 || key[0] != 'P') return 0;
  const size_t z = key.find('\0', kModelPrefix);
  if (z == std::string_view::npos || key.size() - (z + 1) < 8) return 0;
  return z + 1;
}

std::string SegmentKeyOf(std::string_view key) {
  const size_t at = PostingKeyIdOffset(key);
  std::string out(key.substr(0, at));
  keys::PutBE64(&out, keys::GetBE64(key.data() + at) & ~(kSegmentIds - 1));
  return out;
}

std::string SegmentLowerBound(std::string_view lower) {
  if (PostingKeyIdOffset(lower) == 0) return std::string(lower);
  return SegmentKeyOf(lower);
}

void SegmentBuilder::Add(uint16_t offset, std::optional<std::string_view> posting) {
  const uint64_t number = offset / kChunkIds;
  if (number != chunk_number_) {
    CloseChunk();
    chunk_number_ = number;
  }
  keys::PutVarint(&chunk_, offset % kChunkIds);
  // A posting is never empty (it starts with its field count), so 0 is free for "deleted".
  const std::string_view p = posting.value_or(std::string_view());
  keys::PutVarint(&chunk_, p.size());
  chunk_.append(p);
}

void SegmentBuilder::AppendChunk(uint64_t number, std::string_view entries) {
  CloseChunk();
  keys::PutVarint(&out_, number);
  keys::PutVarint(&out_, entries.size());
  out_.append(entries);
  chunk_number_ = number;
}

void SegmentBuilder::CloseChunk() {
  if (chunk_.empty()) return;
  keys::PutVarint(&out_, chunk_number_);
  keys::PutVarint(&out_, chunk_.size());
  out_.append(chunk_);
  chunk_.clear();
}

const std::string& SegmentBuilder::Finish() {
  CloseChunk();
  return out_;
}

std::string SegmentBuilder::Take() {
  CloseChunk();
  std::string out = std::move(out_);
  Clear();
  return out;
}

void SegmentBuilder::Clear() {
  out_.clear();
  chunk_.clear();
  chunk_number_ = 0;
}

bool DecodeSegment(std::string_view segment, std::vector<SegmentEntry>* entries) {
  entries->clear();
  SegmentReader r(segment);
  SegmentEntry e;
  while (r.Next(&e)) entries->push_back(e);
  return !r.malformed();
}

Result<std::optional<std::string>> PostingInSegment(std::string_view segment,
                                                    std::string_view key) {
  const size_t at = PostingKeyIdOffset(key);
  const auto want = static_cast<uint16_t>(keys::GetBE64(key.data() + at) & (kSegmentIds - 1));
  const uint64_t want_chunk = want / kChunkIds;
  auto malformed = [] { return Status(Code::kInvalidStoredData, "malformed posting segment"); };
  ChunkReader chunks(segment);
  uint64_t number = 0;
  std::string_view body;
  while (chunks.Next(&number, &body)) {  // hops the chunks before want's
    if (number < want_chunk) continue;
    if (number > want_chunk) return std::optional<std::string>();
    EntryReader r(body, number);
    SegmentEntry e;
    while (r.Next(&e)) {
      if (e.offset < want) continue;
      if (e.offset > want || e.deleted) return std::optional<std::string>();
      return std::optional<std::string>(std::string(e.posting));
    }
    if (r.malformed()) return malformed();
    return std::optional<std::string>();
  }
  if (chunks.malformed()) return malformed();
  return std::optional<std::string>();
}

// ---- merge operator ----

namespace {

// One chunk's entries while merging: per offset, absent, deleted or a posting (a view into
// one of the merge's inputs, which outlive it). Bitmaps, so that a merge touches only the
// offsets its inputs hold.
class ChunkSlots {
 public:
  void Apply(std::string_view entries, uint64_t number) {
    EntryReader r(entries, number);
    SegmentEntry e;
    while (r.Next(&e)) {
      const uint16_t slot = e.offset % kChunkIds;
      const uint64_t bit = uint64_t{1} << (slot % 64);
      const int word = slot / 64;
      if (e.deleted) {
        present_[word] &= ~bit;
        deleted_[word] |= bit;
      } else {
        present_[word] |= bit;
        deleted_[word] &= ~bit;
        posting_[slot] = {e.posting.data(), e.posting.size()};
      }
    }
  }
  // Deleted entries are kept when `keep_deleted` (a partial merge: an older posting may lie
  // below it).
  void Write(SegmentBuilder* out, uint64_t number, bool keep_deleted) const {
    for (size_t word = 0; word < kWords; ++word) {
      uint64_t bits = present_[word] | (keep_deleted ? deleted_[word] : 0);
      while (bits) {
        const int b = __builtin_ctzll(bits);
        bits &= bits - 1;
        const size_t slot = word * 64 + static_cast<size_t>(b);
        const auto offset = static_cast<uint16_t>(number * kChunkIds + slot);
        if (present_[word] >> b & 1) {
          out->Add(offset, std::string_view(posting_[slot].p, posting_[slot].n));
        } else {
          out->Add(offset, std::nullopt);
        }
      }
    }
  }

 private:
  static constexpr size_t kWords = kChunkIds / 64;
  static_assert(kChunkIds % 64 == 0);
  struct View {
    const char* p;
    size_t n;
  };
  uint64_t present_[kWords] = {}, deleted_[kWords] = {};
  View posting_[kChunkIds];  // set where present_ says so; the rest is never read
};

// Whether a chunk decodes entirely and, unless `deleted_ok`, holds no deleted entry: then a
// merge in which no other input holds its number can copy it as it is.
bool CopyableChunk(std::string_view entries, uint64_t number, bool deleted_ok) {
  EntryReader r(entries, number);
  SegmentEntry e;
  while (r.Next(&e)) {
    if (e.deleted && !deleted_ok) return false;
  }
  return !r.malformed();
}

// Merges `inputs` (oldest first) chunk by chunk into `out`: a chunk number only one input
// holds is copied when it can be, the others merged entry by entry. Malformed bytes end
// their input's chunks (what decoded before them is kept).
void MergeSegments(const std::vector<std::string_view>& inputs, bool keep_deleted,
                   std::string* out) {
  struct Input {
    ChunkReader chunks;
    bool has = false;
    uint64_t number = 0;
    std::string_view entries;
    void Step() { has = chunks.Next(&number, &entries); }
  };
  std::vector<Input> in;
  in.reserve(inputs.size());
  for (std::string_view s : inputs) {
    in.push_back(Input{ChunkReader(s), false, 0, {}});
    in.back().Step();
  }
  SegmentBuilder b;
  for (;;) {
    uint64_t number = kChunks;
    size_t holders = 0, holder = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in[i].has || in[i].number > number) continue;
      if (in[i].number < number) {
        number = in[i].number;
        holders = 0;
      }
      ++holders;
      holder = i;
    }
    if (holders == 0) break;
    if (holders == 1 && CopyableChunk(in[holder].entries, number, keep_deleted)) {
      b.AppendChunk(number, in[holder].entries);
      in[holder].Step();
      continue;
    }
    ChunkSlots slots;
    for (Input& x : in) {
      if (x.has && x.number == number) {
        slots.Apply(x.entries, number);
        x.Step();
      }
    }
    slots.Write(&b, number, keep_deleted);
  }
  *out = b.Take();
}

class PostingSegmentMergeOperator : public rocksdb::MergeOperator {
 public:
  const char* Name() const override { return "actiondb.PostingSegments"; }

  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    // The common case, a segment written once and read before a compaction merged it: one
    // operand with nothing deleted is the value itself.
    if (!in.existing_value && in.operand_list.size() == 1) {
      const rocksdb::Slice& op = in.operand_list[0];
      SegmentReader r({op.data(), op.size()});
      SegmentEntry e;
      bool clean = true;
      while (clean && r.Next(&e)) clean = !e.deleted;
      if (clean && !r.malformed()) {
        out->existing_operand = op;
        return true;
      }
    }
    std::vector<std::string_view> inputs;
    inputs.reserve(in.operand_list.size() + 1);
    if (in.existing_value) {
      inputs.emplace_back(in.existing_value->data(), in.existing_value->size());
    }
    for (const rocksdb::Slice& op : in.operand_list) inputs.emplace_back(op.data(), op.size());
    MergeSegments(inputs, /*keep_deleted=*/false, &out->new_value);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operand_list, std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    std::vector<std::string_view> inputs;
    inputs.reserve(operand_list.size());
    for (const rocksdb::Slice& op : operand_list) inputs.emplace_back(op.data(), op.size());
    MergeSegments(inputs, /*keep_deleted=*/true, new_value);
    return true;
  }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewPostingSegmentMergeOperator() {
  return std::make_shared<PostingSegmentMergeOperator>();
}

// ---- the logical iterator ----

namespace {

class SegmentIterator : public KvIterator {
 public:
  SegmentIterator(std::unique_ptr<KvIterator> inner, std::string lower, std::string upper)
      : inner_(std::move(inner)), lower_(std::move(lower)), upper_(std::move(upper)) {}

  void Seek(std::string_view target) override {
    if (target < lower_) target = lower_;
    ++scanned_;
    // Within the segment already loaded (a search seeking from candidate to candidate):
    // no RocksDB seek.
    bool in_segment = Positioned() && segment_ && target >= key() && InLoadedSegment(target);
    if (!in_segment) {
      inner_->Seek(SegmentLowerBound(target));
      LoadForward();
      in_segment = Positioned() && segment_ && InLoadedSegment(target);
    }
    if (in_segment) ForwardToChunkOf(target);
    SkipForwardBelow(target);
  }
  void SeekForPrev(std::string_view target) override {
    if (!upper_.empty() && target >= upper_) {
      SeekToLast();
      return;
    }
    ++scanned_;
    inner_->SeekForPrev(target);
    LoadBackward();
    if (Positioned() && segment_ && InLoadedSegment(target)) BackwardToChunkOf(target);
    SkipBackwardAbove(target);
  }
  void SeekToFirst() override { Seek(lower_); }
  void SeekToLast() override {
    ++scanned_;
    inner_->SeekToLast();
    LoadBackward();
    while (Positioned() && !upper_.empty() && key() >= upper_) Prev();
  }
  bool Valid() const override {
    if (pos_ >= count_ || !status_.ok()) return false;
    if (segment_ && all_in_bounds_) return true;  // no compare per posting
    const std::string_view k = key();
    return k >= lower_ && (upper_.empty() || k < upper_);
  }
  void Next() override {
    ++scanned_;
    if (++pos_ < count_) {
      SetKey();
      return;
    }
    if (segment_ && status_.ok() && DecodeForward(chunk_ + 1)) {
      pos_ = 0;
      SetKey();
      return;
    }
    if (!status_.ok()) return;
    inner_->Next();
    LoadForward();
  }
  void Prev() override {
    ++scanned_;
    if (pos_ > 0 && pos_ < count_) {
      --pos_;
      SetKey();
      return;
    }
    if (segment_ && status_.ok() && pos_ < count_ && chunk_ > 0 && DecodeBackward(chunk_ - 1)) {
      pos_ = count_ - 1;
      SetKey();
      return;
    }
    if (!status_.ok()) return;
    inner_->Prev();
    LoadBackward();
  }
  std::string_view key() const override {
    return segment_ ? std::string_view(key_) : inner_->key();
  }
  std::string_view value() const override {
    return segment_ ? entries_[pos_].posting : inner_->value();
  }
  Status status() const override {
    if (!status_.ok()) return status_;
    return inner_->status();
  }
  uint64_t keys_scanned() const override { return scanned_; }

 private:
  struct Chunk {
    uint64_t number;
    std::string_view entries;
  };

  // Positions at the first live entry at or after the inner iterator's key, stepping forward.
  void LoadForward() {
    for (; inner_->Valid(); inner_->Next()) {
      if (Load() && (!segment_ || DecodeForward(0))) {
        pos_ = 0;
        if (segment_) SetKey();
        return;
      }
      if (!status_.ok()) break;
    }
    count_ = 0;
  }
  void LoadBackward() {
    for (; inner_->Valid(); inner_->Prev()) {
      if (Load() && (!segment_ || DecodeBackward(chunk_count_ - 1))) {
        pos_ = count_ - 1;
        if (segment_) SetKey();
        return;
      }
      if (!status_.ok()) break;
    }
    count_ = 0;
  }
  // Loads the inner iterator's current key: a segment's chunk headers (then a Decode* call
  // positions in it), or any other key as one entry. False when it is a segment with no
  // chunk, or malformed (then status_ says so).
  bool Load() {
    const std::string_view k = inner_->key();
    segment_ = PostingKeyIdOffset(k) != 0;
    count_ = segment_ ? 0 : 1;
    if (!segment_) return true;
    chunk_count_ = 0;
    ChunkReader r(inner_->value());
    Chunk c;
    while (r.Next(&c.number, &c.entries)) chunks_[chunk_count_++] = c;
    if (r.malformed()) return Malformed();
    if (chunk_count_ == 0) return false;
    prefix_len_ = k.size() - 8;
    key_.assign(k);  // the last 8 bytes are the entry's id, written by SetKey
    block_ = keys::GetBE64(k.data() + prefix_len_);
    // Whether the whole block lies within the bounds (always, for an iterator over a model's
    // postings): then no chunk of it compares keys.
    keys::WriteBE64(key_.data() + prefix_len_, block_ + kSegmentIds - 1);
    segment_in_bounds_ = upper_.empty() || std::string_view(key_) < upper_;
    keys::WriteBE64(key_.data() + prefix_len_, block_);
    segment_in_bounds_ = segment_in_bounds_ && std::string_view(key_) >= lower_;
    return true;
  }
  bool Malformed() {
    status_ = Status(Code::kInvalidStoredData,
                     "malformed posting segment in the search index (checksum-valid bytes "
                     "that do not decode)");
    count_ = 0;
    return false;
  }
  // Decodes chunk i of the loaded segment: false when it holds no live entry or is malformed.
  bool Decode(size_t i) {
    chunk_ = i;
    count_ = 0;
    EntryReader r(chunks_[i].entries, chunks_[i].number);
    SegmentEntry e;
    while (r.Next(&e)) {
      if (!e.deleted) entries_[count_++] = e;  // at most kChunkIds: offsets ascend
    }
    if (r.malformed()) return Malformed();
    if (count_ == 0) return false;
    // Whether every entry is within the bounds (the first and the last are), so that Valid()
    // need not compare keys.
    all_in_bounds_ = segment_in_bounds_ ||
                     ((upper_.empty() || KeyAt(count_ - 1) < upper_) && KeyAt(0) >= lower_);
    return true;
  }
  // Decodes the first chunk from i on (the last down from i) with a live entry; false when
  // there is none or one is malformed (count_ is then 0).
  bool DecodeForward(size_t i) {
    for (; i < chunk_count_; ++i) {
      if (Decode(i)) return true;
      if (!status_.ok()) return false;
    }
    count_ = 0;
    return false;
  }
  bool DecodeBackward(size_t i) {
    for (size_t j = i + 1; j-- > 0;) {
      if (Decode(j)) return true;
      if (!status_.ok()) return false;
    }
    count_ = 0;
    return false;
  }
  // The chunk number of logical key `target`, which lies in the loaded segment's block.
  uint64_t ChunkOf(std::string_view target) const {
    return (keys::GetBE64(target.data() + prefix_len_) - block_) / kChunkIds;
  }
  // On an entry of the loaded segment, before `target`'s chunk (which the segment's block
  // holds): to the first live entry of that chunk or after it, hopping the chunks between.
  void ForwardToChunkOf(std::string_view target) {
    const uint64_t want = ChunkOf(target);
    if (chunks_[chunk_].number >= want) return;
    size_t i = chunk_ + 1;
    while (i < chunk_count_ && chunks_[i].number < want) ++i;
    if (DecodeForward(i)) {
      pos_ = 0;
      SetKey();
    } else if (status_.ok()) {
      inner_->Next();
      LoadForward();
    }
  }
  // The mirror image: to the last live entry of `target`'s chunk or before it.
  void BackwardToChunkOf(std::string_view target) {
    const uint64_t want = ChunkOf(target);
    if (chunks_[chunk_].number <= want) return;
    size_t i = chunk_;
    while (i > 0 && chunks_[i].number > want) --i;
    if (chunks_[i].number <= want && DecodeBackward(i)) {
      pos_ = count_ - 1;
      SetKey();
    } else if (status_.ok()) {
      inner_->Prev();
      LoadBackward();
    }
  }
  // The logical key of entry i of the loaded chunk: its record id written over the last 8
  // bytes of key_ (in place: a search visits every posting of its terms).
  std::string_view KeyAt(size_t i) {
    keys::WriteBE64(key_.data() + prefix_len_, block_ + entries_[i].offset);
    return key_;
  }
  void SetKey() { KeyAt(pos_); }
  // Whether logical posting key `target` lies in the block of the loaded segment.
  bool InLoadedSegment(std::string_view target) const {
    return target.size() == prefix_len_ + 8 && PostingKeyIdOffset(target) == prefix_len_ &&
           target.compare(0, prefix_len_, key_, 0, prefix_len_) == 0 &&
           (keys::GetBE64(target.data() + prefix_len_) & ~(kSegmentIds - 1)) == block_;
  }
  // On an entry, in or out of the bounds.
  bool Positioned() const { return status_.ok() && pos_ < count_; }
  void SkipForwardBelow(std::string_view target) {
    while (Positioned() && key() < target) Next();
  }
  void SkipBackwardAbove(std::string_view target) {
    while (Positioned() && key() > target) Prev();
  }

  std::unique_ptr<KvIterator> inner_;
  std::string lower_, upper_;
  Status status_;
  bool segment_ = false;
  bool segment_in_bounds_ = false;                     // every id of the loaded block
  bool all_in_bounds_ = false;                         // of the decoded chunk's entries
  std::array<Chunk, kSegmentIds / kChunkIds> chunks_;  // the loaded segment's chunk headers
  size_t chunk_count_ = 0, chunk_ = 0;                 // ... their count, the decoded one
  std::array<SegmentEntry, kChunkIds> entries_;        // the decoded chunk's live entries
  size_t pos_ = 0, count_ = 0;
  uint64_t block_ = 0;
  std::string key_;  // the logical key of the current entry (a segment's)
  size_t prefix_len_ = 0;
  uint64_t scanned_ = 0;
};

}  // namespace

std::unique_ptr<KvIterator> NewSegmentIterator(std::unique_ptr<KvIterator> inner, std::string lower,
                                               std::string upper) {
  return std::make_unique<SegmentIterator>(std::move(inner), std::move(lower), std::move(upper));
}

// ---- commit ----

void SegmentWriter::Write(std::string_view key, std::optional<std::string_view> value) {
  const size_t at = PostingKeyIdOffset(key);
  if (at == 0) {
    Finish();
    if (value) {
      put_(key, *value);
    } else {
      del_(key);
    }
    return;
  }
  const uint64_t id = keys::GetBE64(key.data() + at);
  const uint64_t block = id & ~(kSegmentIds - 1);
  // Same segment as the one being built: same term prefix and block (no key is built).
  if (!open_ || segment_key_.size() != at + 8 || key.compare(0, at, segment_key_, 0, at) != 0 ||
      keys::GetBE64(segment_key_.data() + at) != block) {
    Finish();
    segment_key_.assign(key.substr(0, at));
    keys::PutBE64(&segment_key_, block);
    open_ = true;
    whole_ = whole_fn_ && whole_fn_(keys::GetBE32(key.data() + 1), block);
  }
  if (whole_ && !value) return;  // a put holds live entries only
  operand_.Add(static_cast<uint16_t>(id - block), value);
}

void SegmentWriter::Finish() {
  if (!operand_.empty()) {
    const std::string& segment = operand_.Finish();
    if (whole_) {
      put_(segment_key_, segment);
    } else {
      merge_(segment_key_, segment);
    }
  }
  open_ = whole_ = false;
  operand_.Clear();
  segment_key_.clear();
}

}  // namespace actiondb::engine
