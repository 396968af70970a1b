// The full-text search index of a model: what of a record is indexed, the byte formats of
// postings and per-document entries, per-transaction statistics deltas, and the read side
// (statistics, the term dictionary as a TermCursor, posting iterators) over a ReadView.
// The write side (diffing a record's old and new postings into a transaction) and rebuilds are
// in search_index.cc, declared in store_internal.h because they take RocksDB types.
//
// Layout (docs/search.md, "Index layout"; docs/key-layout.md):
//   fts 'P' modelId:BE32 term 0x00 recordId:BE64 -> posting (the logical key: stored in
//                                                   segments of 4,096 record ids in chunks
//                                                   of 128, see posting_segments.h)
//   fts 'D' modelId:BE32 recordId:BE64           -> doc entry: the fields indexed for the
//                                                   record and their lengths
//   fts 'M' modelId:BE32                         -> meta: "<analyzer fingerprint> version/N
//                                                   segments/4096 chunks/128 stats/cf\n
//                                                   <field ids>"
//   stat 'F' modelId:BE32 'N'                    -> i64: documents (merge-add)
//   stat 'F' modelId:BE32 'L' fieldId:BE16       -> i64: tokens of the field (merge-add)
//   stat 'F' modelId:BE32 'T' term               -> i64: document frequency (merge-add); the
//                                                   keys with a positive count are the term
//                                                   dictionary
//   stat 'F' modelId:BE32 'S' surface            -> i64: documents holding the unstemmed word
//                                                   (merge-add): the surface dictionary for
//                                                   typo and prefix expansion of what users
//                                                   type ("hpuse" -> "house" -> stem "hous")
//
// Posting value (varints, LEB128):
//   nfields, then per field in ascending id: fieldId, fieldLength, tf, tf position deltas
//   (first from 0). The field length (in positions, stop words included) is repeated in every
//   posting so that BM25 needs no per-document lookup while scoring.
// Doc entry value: nfields, then per field in ascending id: fieldId, fieldLength.
//
// Thread-safety: the free functions are thread-safe. A SearchReader is used by one thread,
// like the ReadView it reads through. SearchPending is owned by one transaction.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/catalog.h"
#include "engine/key_format.h"
#include "engine/record_codec.h"
#include "engine/search/analyzer.h"
#include "engine/search/levenshtein.h"
#include "engine/store.h"

namespace actiondb::engine {

// The analyzer every search index and query uses (immutable, thread-safe).
const search::Analyzer& SearchAnalyzer();

// Whether a field's values are indexed for search: every stored type except passwords and
// relationship lists, plus the id; a number field only when it has an index (an unindexed
// number takes the lock-free `_atomics` merge path, which never rewrites the record, so its
// postings would go stale).
bool IsSearchable(const ModelInfo& model, const FieldInfo& field);
// The ids of the searchable fields of a model, ascending.
std::vector<uint16_t> SearchFieldIds(const ModelInfo& model);
// The meta value a complete index of `model` carries: the analyzer fingerprint and version,
// and the searchable field ids. A different stored value means the index must be rebuilt.
std::string SearchMetaValue(const ModelInfo& model);
// The analyzer part of a meta value (everything before the first '\n').
std::string_view SearchMetaAnalyzerPart(std::string_view meta);

// The texts a value is searched as: strings as they are (rich text: its markdown), each item
// of a list, numbers in their shortest round-trip form ("42", "2.5"), booleans "true"/"false",
// date/times "YYYY-MM-DD HH:MM:SS" (UTC), ids in decimal, json as its canonical text.
std::vector<std::string> SearchTexts(const Value& value);

struct PostingField {
  uint16_t field_id = 0;
  uint32_t length = 0;              // the field's length in positions
  std::vector<uint32_t> positions;  // ascending; tf = positions.size()
  bool operator==(const PostingField&) const = default;
};
std::string EncodePosting(const std::vector<PostingField>& fields);
// False on malformed bytes.
bool DecodePosting(std::string_view bytes, std::vector<PostingField>* fields);

// What BM25 needs of one field of a posting: its length and the term's frequency.
struct PostingFieldStats {
  uint16_t field_id = 0;
  uint32_t length = 0;
  uint32_t tf = 0;
};
// DecodePosting without the positions (skipped, not stored): for scoring, which reads every
// posting of a term and needs no positions. Reuses `fields`' storage. False on malformed
// bytes, by the same rules as DecodePosting.
bool DecodePostingStats(std::string_view bytes, std::vector<PostingFieldStats>* fields);

using FieldLengths = std::vector<std::pair<uint16_t, uint32_t>>;  // ascending field id
std::string EncodeDocEntry(const FieldLengths& lengths);
bool DecodeDocEntry(std::string_view bytes, FieldLengths* lengths);

// The analyzed form of one record restricted to `field_ids`: per term, its fields and
// positions. Items of a list are analyzed one by one, a position apart.
struct DocTerms {
  using Term = std::pair<std::string, std::vector<PostingField>>;
  FieldLengths field_lengths;
  // Sorted by term, distinct (a vector, not a map: a post's ~50 terms were ~50 tree nodes
  // allocated, balanced and freed per record analyzed).
  std::vector<Term> terms;
  std::vector<std::string> surfaces;       // the distinct unstemmed words, sorted
  std::vector<std::string> surface_terms;  // surface_terms[i]: the term of surfaces[i]
  bool HasSurface(std::string_view surface) const {
    return std::binary_search(surfaces.begin(), surfaces.end(), surface);
  }
  // The entry of `term` in `terms`, or terms.end().
  std::vector<Term>::const_iterator FindTerm(std::string_view term) const;
};
DocTerms AnalyzeRecord(const RecordView& record, const std::vector<uint16_t>& field_ids);

// What a transaction has written to the search index and not committed yet: posting and doc
// entry writes (`fts` key -> value, or nullopt for a delete) and statistics deltas (`stat` 'F'
// key -> summed delta). They stay out of RocksDB's indexed transaction batch: a record writes
// ~45 posting keys, and the indexed batch costs two skiplist searches per key; and many merges
// of one key in that batch cost O(n^2). At commit, AppendSearchPending adds them to the
// transaction's plain batch in key order (sorted inserts are also the memtable's fast path).
// The transaction's own reads see them: TxnView overlays the writes (NewSearchOverlay) and the
// search reader adds the deltas. Writes are a log, appended to without a lookup (a bulk
// create of 1,000 posts writes ~60,000 keys and never reads one back); a key's last entry
// wins. Reads index the log on first need and keep the index up to date from then on. A
// savepoint is a log position (a rollback truncates); statistics deltas are journaled.
class SearchPending {
 public:
  using Writes = std::map<std::string, std::optional<std::string>, std::less<>>;

  void AddStat(const std::string& key, int64_t delta);
  // The pending delta of a statistics key (0 when untouched).
  int64_t Stat(const std::string& key) const;
  // Every statistics key touched so far (a delta may have summed to 0), in key order. Built
  // on demand (hash maps take the writes); valid until the next change.
  const std::map<std::string, int64_t>& SortedStats() const;

  void Put(std::string key, std::string value);
  void Delete(std::string key);
  // Null when `key` is untouched; else its pending value (nullopt: deleted).
  const std::optional<std::string>* Find(const std::string& key) const;
  bool has_writes() const { return !log_.empty(); }
  // The writes in key order, built on demand; valid until the next change.
  const Writes& SortedWrites() const;
  // Calls put(key, value) / del(key) for every write, then merge(key, delta) for every
  // non-zero statistics delta, each in key order.
  template <typename PutFn, typename DelFn, typename MergeFn>
  void ForEachSorted(PutFn put, DelFn del, MergeFn merge) const;

  // Notes that this transaction created record `id` of model `model_id` (it holds the
  // record's lock from its creation to the commit). A posting segment whose every id was
  // created here held no live posting before, and nobody else can write it before the commit:
  // the commit writes it whole (a Put) instead of as a merge operand (SegmentWriter::WholeFn).
  void NoteCreated(uint32_t model_id, uint64_t id) { created_.emplace_back(model_id, id); }
  // The (model id, block start) of every block of kSegmentIds ids all created in this
  // transaction, sorted. Built on demand.
  std::vector<std::pair<uint32_t, uint64_t>> WholeBlocks() const;

  // Appends `other`'s writes after this one's (in their order) and adds its statistics
  // deltas, as if its calls had been made here; `other` (no savepoints, no created ids) is
  // left empty. How the pieces of a parallel analysis (IndexCreatedRecord) are joined.
  void Absorb(SearchPending&& other);

  void SetSavePoint() {
    savepoints_.push_back({stats_journal_.size(), log_.size(), created_.size()});
  }
  // Undoes the changes since the last savepoint; false when there is none.
  bool RollbackToSavePoint();
  void Clear();

 private:
  void Write(std::string key, std::optional<std::string> value);

  std::unordered_map<std::string, int64_t> stats_;
  // The writes in the order made (a deque: entries never move, so the index can point into
  // them); the index maps a key to its last entry, covering log_[0, indexed_).
  std::deque<std::pair<std::string, std::optional<std::string>>> log_;
  mutable std::unordered_map<std::string_view, size_t> index_;
  mutable size_t indexed_ = 0;
  mutable std::map<std::string, int64_t> sorted_stats_;
  mutable Writes sorted_writes_;
  mutable bool sorted_stats_valid_ = false, sorted_writes_valid_ = false;
  // Kept only while savepoints exist: (key, delta).
  std::vector<std::pair<std::string, int64_t>> stats_journal_;
  std::vector<std::pair<uint32_t, uint64_t>> created_;  // (model id, record id), as noted
  struct SavePoint {
    size_t stats_journal, log, created;  // sizes at the savepoint
  };
  std::vector<SavePoint> savepoints_;
};

// The order of `keys` by byte order, ties by position (a stable sort), comparing cached 8-byte
// heads before bytes (search_index.cc): a commit sorts ~50k search keys that share a prefix.
std::vector<uint32_t> KeyOrder(const std::vector<std::string_view>& keys);

template <typename PutFn, typename DelFn, typename MergeFn>
void SearchPending::ForEachSorted(PutFn put, DelFn del, MergeFn merge) const {
  std::vector<std::string_view> keys;
  keys.reserve(log_.size());
  for (const auto& e : log_) keys.push_back(e.first);
  // Stable: of a key's entries, the last written sorts last and is the one written.
  std::vector<uint32_t> order = KeyOrder(keys);
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& e = log_[order[i]];
    if (i + 1 < order.size() && keys[order[i + 1]] == keys[order[i]]) continue;
    if (e.second) {
      put(e.first, *e.second);
    } else {
      del(e.first);
    }
  }
  std::vector<const std::pair<const std::string, int64_t>*> stats;
  stats.reserve(stats_.size());
  keys.clear();
  for (const auto& e : stats_) {
    if (e.second == 0) continue;
    stats.push_back(&e);
    keys.push_back(e.first);
  }
  for (uint32_t i : KeyOrder(keys)) merge(stats[i]->first, stats[i]->second);
}

// A KvIterator over `base` (bounded to [lower, upper)) with `writes` laid over it: a pending
// value replaces the base's, a pending delete hides its key. `writes` must outlive it and not
// change while it is used.
std::unique_ptr<KvIterator> NewSearchOverlay(std::unique_ptr<KvIterator> base,
                                             const SearchPending::Writes* writes, std::string lower,
                                             std::string upper);

// A model's statistics for BM25.
struct SearchStats {
  int64_t doc_count = 0;
  std::map<uint16_t, int64_t> field_tokens;
  // The mean length of a field over the model's documents (0 when there are none).
  double AverageLength(uint16_t field_id) const;
};

// Reads a model's search index through a ReadView (a snapshot, or a transaction: then the
// transaction's own postings and its not yet merged statistics are included).
class SearchReader {
 public:
  SearchReader(ReadView& view, const ModelInfo& model);
  Result<SearchStats> ReadStats();
  Result<int64_t> DocFreq(std::string_view term);
  // DocFreq of several terms, those not remembered yet (see Count) read in one batch.
  Status DocFreqMany(const std::vector<std::string_view>& terms, std::vector<int64_t>* out);
  // The term dictionary: terms with a positive document frequency, in byte order. From a
  // snapshot view, terms from TermDictionary::kMinByte on come from the model's in-memory
  // TermDictionary (a superset: the cursor's CheckLive confirms terms), the rest from RocksDB
  // seeks and steps over the dictionary keys (never a full scan); a transaction's view reads
  // all of it from RocksDB, merged with its pending counts.
  // Errors stop the cursor; check status() afterwards.
  std::unique_ptr<search::TermCursor> NewDictionaryCursor();
  // The surface dictionary (unstemmed words with a positive count), likewise.
  std::unique_ptr<search::TermCursor> NewSurfaceCursor();
  // The count under a `stat` statistics key at the view (with a transaction's pending delta).
  // Remembered for the reader's life: a reader serves one search, during which neither its
  // snapshot nor its transaction's pending counts change.
  Result<int64_t> Count(const std::string& key);
  // Count of several keys, the ones not remembered yet read in one batch: (*out)[i] for keys[i].
  Status CountMany(std::vector<std::string> keys, std::vector<int64_t>* out);
  // Records the first error of a cursor; status() returns it.
  void NoteError(const Status& s);
  // The postings of every term of the model (keys SearchPostingPrefix(model, term) + BE64 id,
  // by term, then id): one iterator a search seeks from term to term.
  std::unique_ptr<KvIterator> NewModelPostingIterator();
  Status status() const { return status_; }
  const ModelInfo& model() const { return model_; }
  ReadView& view() { return view_; }

 private:
  friend class DictionaryCursor;
  std::unique_ptr<search::TermCursor> NewCursor(const std::string& prefix, int kind);
  ReadView& view_;
  const ModelInfo& model_;
  Status status_;
  std::unordered_map<std::string, int64_t> counts_;
};

// The record id at the end of a posting key (inline: a search reads it for every posting).
inline uint64_t PostingRecordId(std::string_view key) {
  return key.size() >= 8 ? keys::GetBE64(key.data() + key.size() - 8) : 0;
}

}  // namespace actiondb::engine
