// How the search index stores its postings: in segments, one `fts` key per term and block of
// 4,096 consecutive record ids, so that reading a term's list steps RocksDB once per block
// instead of once per posting, and a bulk write of consecutive records merges one operand per
// term and block. Within a segment the postings are grouped in chunks of 128 ids, each with its
// byte length, so that reading one posting hops chunk headers instead of decoding the block,
// an iterator decodes one chunk at a time, and a merge copies the chunks only one input holds
// verbatim. Everything above this file (the writers' diffs, the query layer, the checker)
// sees the logical keys of docs/search.md, one per term and record; the read views and the
// commit path translate (docs/key-layout.md, "Posting segments").
//
//   logical key:  'P' modelId:BE32 term 0x00 recordId:BE64    -> posting
//   segment key:  'P' modelId:BE32 term 0x00 blockStart:BE64  -> segment
//                 blockStart = recordId rounded down to a multiple of kSegmentIds
//   segment:      chunks in ascending chunk number, each: chunk number (LEB128 varint,
//                 (recordId - blockStart) / kChunkIds), byte length of its entries (varint,
//                 > 0), its entries in ascending id, each: offset (varint, recordId -
//                 blockStart - chunk number * kChunkIds: one byte), length (varint), the
//                 posting's bytes. Length 0 marks a deleted posting; only merge operands
//                 carry those.
//
// The block size is kSegmentIds alone (a power of two, a multiple of kChunkIds, at most
// 65,536; the search meta records it and the chunk size, so a store written with others is
// rebuilt on open). Blocks of 128 ids without chunks until session 26; 8,192 without chunks
// were measured in session 23 (bench/README.md).
//
// Writes are merge operands in the same format (NewPostingSegmentMergeOperator): a later
// operand's entry replaces an earlier one of the same id, a deleted entry removes it. The
// merge operator never fails (a failed merge during compaction makes RocksDB 7.8.3 read-only):
// it keeps what decodes and drops the rest; the consistency checker reports the damage.
//
// Thread-safety: everything here is thread-safe except iterators, SegmentBuilder and
// SegmentWriter (one thread each).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store.h"

namespace rocksdb {
class MergeOperator;
}

namespace actiondb::engine {

inline constexpr uint64_t kSegmentIds = 4096;
inline constexpr uint64_t kChunkIds = 128;
static_assert((kSegmentIds & (kSegmentIds - 1)) == 0 && kSegmentIds % kChunkIds == 0 &&
              kSegmentIds <= 65536);

// If `key` starts like a logical posting key ('P', model id, term, 0x00, then at least 8
// bytes): the length of its part before the record id. 0 otherwise.
size_t PostingKeyIdOffset(std::string_view key);
// The segment key holding logical posting key `key` (which must have a PostingKeyIdOffset).
std::string SegmentKeyOf(std::string_view key);
// The smallest stored key an iterator must start from to see every logical key >= `lower`:
// its segment key when `lower` is a logical posting key, else `lower` itself.
std::string SegmentLowerBound(std::string_view lower);

// One entry of a segment: the record id's offset in the block, and the posting, or
// `deleted` (merge operands only).
struct SegmentEntry {
  uint16_t offset = 0;
  bool deleted = false;
  std::string_view posting;
};
// Builds a segment from entries in ascending offset order.
class SegmentBuilder {
 public:
  // `posting` nullopt: a deleted entry.
  void Add(uint16_t offset, std::optional<std::string_view> posting);
  // Appends chunk `number` as it is: its encoded entries (non-empty, valid), after every
  // entry added so far and before every one added later.
  void AppendChunk(uint64_t number, std::string_view entries);
  // The segment built so far (its open chunk closed).
  const std::string& Finish();
  // The same, moved out; the builder is empty after.
  std::string Take();
  bool empty() const { return out_.empty() && chunk_.empty(); }
  void Clear();

 private:
  void CloseChunk();
  std::string out_, chunk_;
  uint64_t chunk_number_ = 0;
};
// Decodes a segment into `entries` (views into `segment`). False when malformed: a chunk
// number out of the block or not ascending, a chunk length of 0 or past the end, an offset
// out of its chunk or not ascending, or a posting length past its chunk.
bool DecodeSegment(std::string_view segment, std::vector<SegmentEntry>* entries);

// The posting of logical key `key` within `segment` (the stored value of SegmentKeyOf(key)):
// nullopt when absent or deleted. kInvalidStoredData when the segment is malformed.
Result<std::optional<std::string>> PostingInSegment(std::string_view segment, std::string_view key);

// The merge operator of the `fts` column family (contract above).
std::shared_ptr<rocksdb::MergeOperator> NewPostingSegmentMergeOperator();

// Presents an `fts` iterator over stored keys as one over logical keys in [lower, upper):
// each segment's live entries become logical keys, other keys pass through. `inner` must be
// bounded to [SegmentLowerBound(lower), upper). Malformed segments stop it with
// kInvalidStoredData.
std::unique_ptr<KvIterator> NewSegmentIterator(std::unique_ptr<KvIterator> inner, std::string lower,
                                               std::string upper);

// Turns sorted logical writes into stored ones at commit: postings of one segment become one
// merge operand, or, for a segment `whole` says the transaction owns entirely, its value (a
// put of the live entries; deleted ones are left out, and nothing is written when none is
// live); other keys are written as they are.
class SegmentWriter {
 public:
  // merge(segment key, operand) for postings; put(key, value) and del(key) for other keys and
  // whole segments.
  using MergeFn = std::function<void(std::string_view, std::string_view)>;
  using PutFn = std::function<void(std::string_view, std::string_view)>;
  using DeleteFn = std::function<void(std::string_view)>;
  // whole(model id, block start): whether no other transaction can have written, or write
  // before this one commits, a live posting of the block (every one of its ids created by this
  // transaction, which holds their locks). Null: no segment is whole.
  using WholeFn = std::function<bool(uint32_t, uint64_t)>;
  SegmentWriter(MergeFn merge, PutFn put, DeleteFn del, WholeFn whole = nullptr)
      : merge_(std::move(merge)),
        put_(std::move(put)),
        del_(std::move(del)),
        whole_fn_(std::move(whole)) {}
  // Keys must come in ascending order. `value` nullopt: a delete.
  void Write(std::string_view key, std::optional<std::string_view> value);
  // Writes the segment being built; call after the last Write.
  void Finish();

 private:
  MergeFn merge_;
  PutFn put_;
  DeleteFn del_;
  WholeFn whole_fn_;
  bool open_ = false, whole_ = false;
  std::string segment_key_;
  SegmentBuilder operand_;
};

}  // namespace actiondb::engine
