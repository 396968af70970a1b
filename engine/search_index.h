// The full-text search index of a model: what of a record is indexed, the byte formats of
// postings and per-document entries, per-transaction statistics deltas, and the read side
// (statistics, the term dictionary as a TermCursor, posting iterators) over a ReadView.
// The write side (diffing a record's old and new postings into a transaction) and rebuilds are
// in search_index.cc, declared in store_internal.h because they take RocksDB types.
//
// Layout (docs/search.md, "Index layout"; docs/key-layout.md):
//   fts 'P' modelId:BE32 term 0x00 recordId:BE64 -> posting
//   fts 'D' modelId:BE32 recordId:BE64           -> doc entry: the fields indexed for the
//                                                   record and their lengths
//   fts 'M' modelId:BE32                         -> meta: "<analyzer fingerprint>\n<field ids>"
//   ctr 'F' modelId:BE32 'N'                     -> i64: documents (merge-add)
//   ctr 'F' modelId:BE32 'L' fieldId:BE16        -> i64: tokens of the field (merge-add)
//   ctr 'F' modelId:BE32 'T' term                -> i64: document frequency (merge-add); the
//                                                   keys with a positive count are the term
//                                                   dictionary
//   ctr 'F' modelId:BE32 'S' surface             -> i64: documents holding the unstemmed word
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
// like the ReadView it reads through. SearchStatsDelta is owned by one transaction.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/catalog.h"
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

using FieldLengths = std::vector<std::pair<uint16_t, uint32_t>>;  // ascending field id
std::string EncodeDocEntry(const FieldLengths& lengths);
bool DecodeDocEntry(std::string_view bytes, FieldLengths* lengths);

// The analyzed form of one record restricted to `field_ids`: per term, its fields and
// positions. Items of a list are analyzed one by one, a position apart.
struct DocTerms {
  FieldLengths field_lengths;
  std::map<std::string, std::vector<PostingField>> terms;
  std::vector<std::string> surfaces;  // the distinct unstemmed words, sorted
};
DocTerms AnalyzeRecord(const RecordView& record, const std::vector<uint16_t>& field_ids);

// Statistics deltas a transaction has made (ctr 'F' keys -> delta), merged into `ctr` once
// per key at commit: many merges of one key inside one transaction cost O(n^2) in RocksDB's
// indexed write batch. Savepoints journal the changes so a rollback to a savepoint undoes
// them too.
class SearchStatsDelta {
 public:
  void Add(const std::string& key, int64_t delta);
  int64_t Get(const std::string& key) const;
  // Every key touched so far (a delta may have summed to 0), in key order.
  const std::map<std::string, int64_t>& deltas() const { return deltas_; }
  void SetSavePoint() { savepoints_.push_back(journal_.size()); }
  // Undoes the changes since the last savepoint; false when there is none.
  bool RollbackToSavePoint();
  void Clear();

 private:
  std::map<std::string, int64_t> deltas_;
  std::vector<std::pair<std::string, int64_t>> journal_;  // only while savepoints exist
  std::vector<size_t> savepoints_;
};

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
  // The term dictionary: terms with a positive document frequency, in byte order. Seeks and
  // steps are real RocksDB seeks and steps over the dictionary keys (never a full scan).
  // Errors stop the cursor; check status() afterwards.
  std::unique_ptr<search::TermCursor> NewDictionaryCursor();
  // The surface dictionary (unstemmed words with a positive count), likewise.
  std::unique_ptr<search::TermCursor> NewSurfaceCursor();
  // The postings of `term`, in record id order; key() ends with the BE64 record id.
  std::unique_ptr<KvIterator> NewPostingIterator(std::string_view term);
  Status status() const { return status_; }
  const ModelInfo& model() const { return model_; }
  ReadView& view() { return view_; }

 private:
  friend class DictionaryCursor;
  ReadView& view_;
  const ModelInfo& model_;
  Status status_;
};

// The record id at the end of a posting key.
uint64_t PostingRecordId(std::string_view key);

}  // namespace actiondb::engine
