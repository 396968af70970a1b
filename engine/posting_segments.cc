// Posting segments (contract in posting_segments.h).
#include "engine/posting_segments.h"

#include <rocksdb/merge_operator.h>

#include <array>

#include "engine/key_format.h"

namespace actiondb::engine {

namespace {

constexpr size_t kModelPrefix = 5;  // 'P' modelId:BE32

// Decodes entries one by one; stops (false) at the end or at malformed bytes (then
// malformed() is true).
class SegmentReader {
 public:
  explicit SegmentReader(std::string_view s) : in_(s) {}
  bool Next(SegmentEntry* e) {
    if (in_.empty() || malformed_) return false;
    uint64_t offset = 0, len = 0;
    // Offsets below 128 (every one in blocks of 128) are one byte: read without the loop. Not
    // in GetVarint itself: the branch there cost common-word searches 3-5% (BM_Search), which
    // read every posting's fields with it.
    if (static_cast<uint8_t>(in_.front()) < 0x80) {
      offset = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
    } else if (!keys::GetVarint(&in_, &offset)) {
      malformed_ = true;
      return false;
    }
    if (offset >= kSegmentIds || (have_last_ && offset <= last_) || !keys::GetVarint(&in_, &len) ||
        len > in_.size()) {
      malformed_ = true;
      return false;
    }
    e->offset = static_cast<uint16_t>(offset);
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
  uint16_t last_ = 0;
  bool have_last_ = false;
  bool malformed_ = false;
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

void AppendSegmentEntry(std::string* segment, uint16_t offset,
                        std::optional<std::string_view> posting) {
  keys::PutVarint(segment, offset);
  // A posting is never empty (it starts with its field count), so 0 is free for "deleted".
  const std::string_view p = posting.value_or(std::string_view());
  keys::PutVarint(segment, p.size());
  segment->append(p);
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
  SegmentReader r(segment);
  SegmentEntry e;
  while (r.Next(&e)) {
    if (e.offset < want) continue;
    if (e.offset > want || e.deleted) return std::optional<std::string>();
    return std::optional<std::string>(std::string(e.posting));
  }
  if (r.malformed()) {
    return Status(Code::kInvalidStoredData, "malformed posting segment");
  }
  return std::optional<std::string>();
}

// ---- merge operator ----

namespace {

// The block's entries while merging: per offset, absent, deleted or a posting (a view into
// one of the merge's inputs, which outlive it). Bitmaps, so that a merge touches only the
// offsets its inputs hold.
class SegmentSlots {
 public:
  void Apply(std::string_view segment) {
    SegmentReader r(segment);
    SegmentEntry e;
    while (r.Next(&e)) {
      const uint64_t bit = uint64_t{1} << (e.offset % 64);
      const int word = e.offset / 64;
      if (e.deleted) {
        present_[word] &= ~bit;
        deleted_[word] |= bit;
      } else {
        present_[word] |= bit;
        deleted_[word] &= ~bit;
        posting_[e.offset] = {e.posting.data(), e.posting.size()};
      }
    }
  }
  // Deleted entries are kept when `keep_deleted` (a partial merge: an older posting may lie
  // below it).
  void Write(std::string* out, bool keep_deleted) const {
    out->clear();
    for (size_t word = 0; word < kWords; ++word) {
      uint64_t bits = present_[word] | (keep_deleted ? deleted_[word] : 0);
      while (bits) {
        const int b = __builtin_ctzll(bits);
        bits &= bits - 1;
        const auto offset = static_cast<uint16_t>(word * 64 + b);
        if (present_[word] >> b & 1) {
          AppendSegmentEntry(out, offset, std::string_view(posting_[offset].p, posting_[offset].n));
        } else {
          AppendSegmentEntry(out, offset, std::nullopt);
        }
      }
    }
  }

 private:
  static constexpr size_t kWords = kSegmentIds / 64;
  static_assert(kSegmentIds % 64 == 0);
  struct View {
    const char* p;
    size_t n;
  };
  uint64_t present_[kWords] = {}, deleted_[kWords] = {};
  View posting_[kSegmentIds];  // set where present_ says so; the rest is never read
};

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
    SegmentSlots slots;
    if (in.existing_value) {
      slots.Apply({in.existing_value->data(), in.existing_value->size()});
    }
    for (const rocksdb::Slice& op : in.operand_list) slots.Apply({op.data(), op.size()});
    slots.Write(&out->new_value, /*keep_deleted=*/false);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operand_list, std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    SegmentSlots slots;
    for (const rocksdb::Slice& op : operand_list) slots.Apply({op.data(), op.size()});
    slots.Write(new_value, /*keep_deleted=*/true);
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
    if (Positioned() && segment_ && target >= key() && InLoadedSegment(target)) {
      SkipForwardBelow(target);
      return;
    }
    inner_->Seek(SegmentLowerBound(target));
    LoadForward();
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
  // Positions at the first live entry at or after the inner iterator's key, stepping forward.
  void LoadForward() {
    for (; inner_->Valid(); inner_->Next()) {
      if (Load()) {
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
      if (Load()) {
        pos_ = count_ - 1;
        if (segment_) SetKey();
        return;
      }
      if (!status_.ok()) break;
    }
    count_ = 0;
  }
  // Loads the inner iterator's current key; false when it holds no live entry (or is
  // malformed: then status_ says so).
  bool Load() {
    const std::string_view k = inner_->key();
    segment_ = PostingKeyIdOffset(k) != 0;
    if (!segment_) {
      count_ = 1;
      return true;
    }
    count_ = 0;
    SegmentReader r(inner_->value());
    SegmentEntry e;
    while (r.Next(&e)) {
      if (!e.deleted) entries_[count_++] = e;  // at most kSegmentIds: offsets ascend
    }
    if (r.malformed()) {
      status_ = Status(Code::kInvalidStoredData,
                       "malformed posting segment in the search index (checksum-valid bytes "
                       "that do not decode)");
      count_ = 0;
      return false;
    }
    if (count_ == 0) return false;
    prefix_len_ = k.size() - 8;
    key_.assign(k);  // the last 8 bytes are the entry's id, written by SetKey
    block_ = keys::GetBE64(k.data() + prefix_len_);
    // Whether every entry is within the bounds (the first and the last are), so that Valid()
    // need not compare keys.
    all_in_bounds_ = (upper_.empty() || KeyAt(count_ - 1) < upper_) && KeyAt(0) >= lower_;
    return true;
  }
  // The logical key of entry i of the loaded segment: its record id written over the last 8
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
  bool all_in_bounds_ = false;                     // of the loaded segment's entries
  std::array<SegmentEntry, kSegmentIds> entries_;  // the loaded segment's live entries
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
  AppendSegmentEntry(&operand_, static_cast<uint16_t>(id - block), value);
}

void SegmentWriter::Finish() {
  if (!operand_.empty()) {
    if (whole_) {
      put_(segment_key_, operand_);
    } else {
      merge_(segment_key_, operand_);
    }
  }
  open_ = whole_ = false;
  operand_.clear();
  segment_key_.clear();
}

}  // namespace actiondb::engine
