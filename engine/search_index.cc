// The search index: record analysis, posting codecs, the write-side diff, statistics deltas,
// rebuilds, and the read side (contracts in search_index.h and store_internal.h).
#include "engine/search_index.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "engine/merge_operators.h"
#include "engine/posting_segments.h"
#include "engine/store_internal.h"

namespace actiondb::engine {

const search::Analyzer& SearchAnalyzer() {
  static const search::Analyzer* analyzer = new search::Analyzer();
  return *analyzer;
}

bool IsSearchable(const ModelInfo& model, const FieldInfo& field) {
  if (field.id() == kIdFieldId) return true;
  if (!field.stored() || field.type() == FieldType::kPassword) return false;
  if (field.type() == FieldType::kNumber) return model.IsIndexed(field.id());
  return true;
}

std::vector<uint16_t> SearchFieldIds(const ModelInfo& model) {
  std::vector<uint16_t> out;
  for (const auto& f : model.fields) {
    if (IsSearchable(model, f)) out.push_back(f.id());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string SearchMetaValue(const ModelInfo& model) {
  // "segments/4096 chunks/128": postings are stored in segments of 4,096 ids in chunks of 128
  // (posting_segments.h; "segments/128" alone was blocks of 128 without chunks); "stats/cf":
  // the statistics are in their own column family (`stat`, not `ctr`). An index stored another
  // way is rebuilt on open.
  std::string s = search::AnalyzerFingerprint() + " version/" +
                  std::to_string(search::kAnalyzerVersion) + " segments/" +
                  std::to_string(kSegmentIds) + " chunks/" + std::to_string(kChunkIds) +
                  " stats/cf\n";
  for (uint16_t fid : SearchFieldIds(model)) s += std::to_string(fid) + ",";
  return s;
}

std::string_view SearchMetaAnalyzerPart(std::string_view meta) {
  return meta.substr(0, meta.find('\n'));
}

namespace {

std::string FormatSearchNumber(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    // Integers, the common case, without printf: "%.0f" writes the same digits (a Value
    // holds no negative zero).
    return std::to_string(static_cast<int64_t>(d));
  }
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

using keys::GetVarint;
using keys::PutVarint;

bool GetVarint32(std::string_view* in, uint32_t* v) {
  uint64_t x;
  if (!GetVarint(in, &x) || x > 0xFFFFFFFFu) return false;
  *v = static_cast<uint32_t>(x);
  return true;
}

}  // namespace

std::vector<std::string> SearchTexts(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return {};
    case ValueKind::kBool:
      return {v.as_bool() ? "true" : "false"};
    case ValueKind::kNumber:
      return {FormatSearchNumber(v.as_number())};
    case ValueKind::kString:
    case ValueKind::kJson:
      return {v.as_string()};
    case ValueKind::kStringList:
      return v.as_list();
    case ValueKind::kDateTime: {
      std::string iso = FormatDateTime(v.as_datetime());  // 2024-01-05T10:00:00.000Z
      if (iso.size() >= 19 && iso[10] == 'T') return {iso.substr(0, 10) + " " + iso.substr(11, 8)};
      return {iso};
    }
    case ValueKind::kId:
      return {std::to_string(v.as_id())};
  }
  return {};
}

std::string EncodePosting(const std::vector<PostingField>& fields) {
  std::string out;
  PutVarint(&out, fields.size());
  for (const auto& f : fields) {
    PutVarint(&out, f.field_id);
    PutVarint(&out, f.length);
    PutVarint(&out, f.positions.size());
    uint32_t prev = 0;
    for (uint32_t p : f.positions) {
      PutVarint(&out, p - prev);
      prev = p;
    }
  }
  return out;
}

namespace {

// The one reader of the posting format: on_field(field id, length, tf) for each field, then
// on_position(position) for each of its tf positions (deltas summed). False on malformed bytes,
// so both decoders below refuse exactly the same inputs.
template <typename FieldFn, typename PositionFn>
bool WalkPosting(std::string_view in, FieldFn on_field, PositionFn on_position) {
  uint64_t n;
  if (!GetVarint(&in, &n) || n > 0xFFFF) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t fid, length, tf;
    if (!GetVarint32(&in, &fid) || fid > 0xFFFF || !GetVarint32(&in, &length) ||
        !GetVarint32(&in, &tf) || tf > in.size()) {
      return false;
    }
    on_field(static_cast<uint16_t>(fid), length, tf);
    uint32_t pos = 0;
    for (uint32_t j = 0; j < tf; ++j) {
      uint32_t d;
      if (!GetVarint32(&in, &d)) return false;
      pos += d;
      on_position(pos);
    }
  }
  return in.empty();
}

}  // namespace

bool DecodePosting(std::string_view in, std::vector<PostingField>* fields) {
  fields->clear();
  return WalkPosting(
      in,
      [&](uint16_t fid, uint32_t length, uint32_t tf) {
        fields->push_back({fid, length, {}});
        fields->back().positions.reserve(tf);
      },
      [&](uint32_t pos) { fields->back().positions.push_back(pos); });
}

bool DecodePostingStats(std::string_view in, std::vector<PostingFieldStats>* fields) {
  fields->clear();
  return WalkPosting(
      in,
      [&](uint16_t fid, uint32_t length, uint32_t tf) {
        fields->push_back({fid, length, tf});
      },
      [](uint32_t) {});
}

std::string EncodeDocEntry(const FieldLengths& lengths) {
  std::string out;
  PutVarint(&out, lengths.size());
  for (const auto& [fid, len] : lengths) {
    PutVarint(&out, fid);
    PutVarint(&out, len);
  }
  return out;
}

bool DecodeDocEntry(std::string_view in, FieldLengths* lengths) {
  lengths->clear();
  uint64_t n;
  if (!GetVarint(&in, &n) || n > 0xFFFF) return false;
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t fid, len;
    if (!GetVarint32(&in, &fid) || fid > 0xFFFF || !GetVarint32(&in, &len)) return false;
    lengths->emplace_back(static_cast<uint16_t>(fid), len);
  }
  return in.empty();
}

namespace {

// `order` gets 0..n-1 sorted by key_of(i) in byte order, ties by position (a stable sort).
// Each entry carries the 8 key bytes after the prefix all keys share, big-endian and zero-padded:
// a < b implies head(a) <= head(b), so most comparisons end on one integer compare without
// following a pointer to the bytes; equal heads fall back to the whole keys, then positions.
template <typename KeyOf>
void OrderByKey(size_t n, KeyOf key_of, std::vector<uint32_t>* order) {
  std::string_view first = n ? std::string_view(key_of(0)) : std::string_view();
  size_t shared = first.size();
  for (size_t i = 1; i < n && shared > 0; ++i) {
    std::string_view k = key_of(i);
    size_t m = std::min(shared, k.size()), j = 0;
    while (j < m && k[j] == first[j]) ++j;
    shared = j;
  }
  struct Entry {
    uint64_t head;
    uint32_t pos;
  };
  thread_local std::vector<Entry> entries;  // capacity kept between calls (bounded below)
  entries.resize(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view k = key_of(i);
    uint64_t head = 0;
    for (size_t b = shared; b < shared + 8; ++b) {
      head = (head << 8) | (b < k.size() ? static_cast<uint8_t>(k[b]) : 0u);
    }
    entries[i] = {head, static_cast<uint32_t>(i)};
  }
  std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (a.head != b.head) return a.head < b.head;
    int c = std::string_view(key_of(a.pos)).compare(key_of(b.pos));
    return c != 0 ? c < 0 : a.pos < b.pos;
  });
  order->resize(n);
  for (size_t i = 0; i < n; ++i) (*order)[i] = entries[i].pos;
  if (entries.capacity() > 4096) entries = {};
}

// The order of `items` by their strings, ties by position: sorting indexes moves no strings.
template <typename T>
void SortedOrder(const std::vector<std::pair<std::string, T>>& items,
                 std::vector<uint32_t>* order) {
  OrderByKey(
      items.size(), [&](size_t i) -> std::string_view { return items[i].first; }, order);
}

}  // namespace

DocTerms AnalyzeRecord(const RecordView& record, const std::vector<uint16_t>& field_ids) {
  // Occurrences are collected in vectors and sorted once, then the output is built in order:
  // a post's ~60 words cost no tree insertions. The working vectors are the calling thread's
  // (cleared, their capacity kept): no allocation for them per record analyzed.
  DocTerms out;
  const search::Analyzer& analyzer = SearchAnalyzer();
  thread_local std::vector<std::pair<std::string, PostingField>> postings;  // by field
  thread_local std::vector<std::pair<std::string, std::string>> surfaces;   // (surface, term)
  thread_local std::vector<std::pair<std::string, uint32_t>> occurrences;   // (term, position)
  thread_local std::vector<uint32_t> order;
  postings.clear();
  surfaces.clear();
  for (uint16_t fid : field_ids) {
    Value v = fid == kIdFieldId ? Value::Id(record.id()) : record.Get(fid);
    uint32_t base = 0;  // positions of the next list item start here
    uint32_t length = 0;
    occurrences.clear();
    for (const std::string& text : SearchTexts(v)) {
      // Every word, so that the length counts stop words too (they keep positions).
      std::vector<search::AnalyzedWord> words = analyzer.AnalyzeWords(text);
      uint32_t end = base;
      for (auto& t : words) {
        end = std::max(end, base + t.position + 1);
        if (t.stop_word || t.term.empty() || t.term.find('\0') != std::string::npos) continue;
        if (!t.surface.empty() && t.surface.find('\0') == std::string::npos) {
          surfaces.emplace_back(std::move(t.surface), t.term);
        }
        occurrences.emplace_back(std::move(t.term), base + t.position);
      }
      if (!words.empty()) {
        length = end;
        base = end + 1;  // a one-position gap between list items: phrases do not span them
      }
    }
    out.field_lengths.emplace_back(fid, length);
    // By term, then position (= the order seen): a term's positions come out ascending.
    SortedOrder(occurrences, &order);
    for (size_t i = 0; i < order.size();) {
      const std::string& term = occurrences[order[i]].first;
      PostingField f{fid, length, {}};
      size_t j = i;
      for (; j < order.size() && occurrences[order[j]].first == term; ++j) {
        f.positions.push_back(occurrences[order[j]].second);
      }
      postings.emplace_back(std::move(occurrences[order[i]].first), std::move(f));
      i = j;
    }
  }
  // By term, then the order added (= ascending field id, as field_ids is).
  SortedOrder(postings, &order);
  out.terms.reserve(postings.size());
  for (uint32_t i : order) {
    auto& [term, field] = postings[i];
    if (out.terms.empty() || out.terms.back().first != term) {
      out.terms.emplace_back(std::move(term), std::vector<PostingField>());
    }
    out.terms.back().second.push_back(std::move(field));
  }
  // By surface, then the order seen: a surface keeps the term it was first seen with.
  SortedOrder(surfaces, &order);
  for (uint32_t i : order) {
    auto& [surface, term] = surfaces[i];
    if (!out.surfaces.empty() && out.surfaces.back() == surface) continue;
    out.surfaces.push_back(std::move(surface));
    out.surface_terms.push_back(std::move(term));
  }
  // A thread keeps what a record's words need, not what the longest text it ever analyzed did.
  constexpr size_t kKeptWords = 4096;
  if (postings.capacity() > kKeptWords || surfaces.capacity() > kKeptWords ||
      occurrences.capacity() > kKeptWords || order.capacity() > kKeptWords) {
    postings = {};
    surfaces = {};
    occurrences = {};
    order = {};
  }
  return out;
}

std::vector<DocTerms::Term>::const_iterator DocTerms::FindTerm(std::string_view term) const {
  auto it = std::lower_bound(terms.begin(), terms.end(), term,
                             [](const Term& t, std::string_view v) { return t.first < v; });
  return it != terms.end() && it->first == term ? it : terms.end();
}

// ---- pending writes ----

std::vector<uint32_t> KeyOrder(const std::vector<std::string_view>& keys) {
  std::vector<uint32_t> order;
  OrderByKey(
      keys.size(), [&](size_t k) { return keys[k]; }, &order);
  return order;
}

void SearchPending::AddStat(const std::string& key, int64_t delta) {
  if (delta == 0) return;
  stats_[key] += delta;
  sorted_stats_valid_ = false;
  if (!savepoints_.empty()) stats_journal_.emplace_back(key, delta);
}

int64_t SearchPending::Stat(const std::string& key) const {
  auto it = stats_.find(key);
  return it == stats_.end() ? 0 : it->second;
}

void SearchPending::Write(std::string key, std::optional<std::string> value) {
  sorted_writes_valid_ = false;
  log_.emplace_back(std::move(key), std::move(value));
}

void SearchPending::Put(std::string key, std::string value) {
  Write(std::move(key), std::move(value));
}

void SearchPending::Delete(std::string key) { Write(std::move(key), std::nullopt); }

const std::optional<std::string>* SearchPending::Find(const std::string& key) const {
  for (; indexed_ < log_.size(); ++indexed_) index_[log_[indexed_].first] = indexed_;
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &log_[it->second].second;
}

const std::map<std::string, int64_t>& SearchPending::SortedStats() const {
  if (!sorted_stats_valid_) {
    sorted_stats_ = std::map<std::string, int64_t>(stats_.begin(), stats_.end());
    sorted_stats_valid_ = true;
  }
  return sorted_stats_;
}

const SearchPending::Writes& SearchPending::SortedWrites() const {
  if (!sorted_writes_valid_) {
    sorted_writes_.clear();
    for (const auto& [key, value] : log_) sorted_writes_.insert_or_assign(key, value);
    sorted_writes_valid_ = true;
  }
  return sorted_writes_;
}

bool SearchPending::RollbackToSavePoint() {
  if (savepoints_.empty()) return false;
  sorted_stats_valid_ = sorted_writes_valid_ = false;
  const auto [stats_mark, writes_mark, created_mark] = savepoints_.back();
  savepoints_.pop_back();
  created_.resize(std::min(created_.size(), created_mark));
  while (stats_journal_.size() > stats_mark) {
    stats_[stats_journal_.back().first] -= stats_journal_.back().second;
    stats_journal_.pop_back();
  }
  if (log_.size() > writes_mark) {
    log_.resize(writes_mark);
    if (indexed_ > writes_mark) {  // the index points at removed entries: rebuild on next need
      index_.clear();
      indexed_ = 0;
    }
  }
  if (savepoints_.empty()) stats_journal_.clear();
  return true;
}

void SearchPending::Absorb(SearchPending&& other) {
  sorted_writes_valid_ = sorted_stats_valid_ = false;
  if (log_.empty()) {
    log_ = std::move(other.log_);  // nothing indexed yet (indexed_ == 0)
  } else {
    for (auto& [key, value] : other.log_) log_.emplace_back(std::move(key), std::move(value));
  }
  if (stats_.empty() && savepoints_.empty()) {
    stats_.swap(other.stats_);
  } else {
    // Nodes move between the maps: no key is copied.
    for (auto it = other.stats_.begin(); it != other.stats_.end();) {
      auto node = other.stats_.extract(it++);
      if (node.mapped() == 0) continue;
      if (!savepoints_.empty()) stats_journal_.emplace_back(node.key(), node.mapped());
      if (auto found = stats_.find(node.key()); found != stats_.end()) {
        found->second += node.mapped();
      } else {
        stats_.insert(std::move(node));
      }
    }
  }
  other.Clear();
}

void SearchPending::Clear() {
  sorted_stats_valid_ = sorted_writes_valid_ = false;
  sorted_stats_.clear();
  sorted_writes_.clear();
  stats_.clear();
  log_.clear();
  index_.clear();
  indexed_ = 0;
  stats_journal_.clear();
  savepoints_.clear();
  created_.clear();
}

std::vector<std::pair<uint32_t, uint64_t>> SearchPending::WholeBlocks() const {
  std::vector<std::pair<uint32_t, uint64_t>> whole;
  if (created_.size() < kSegmentIds) return whole;
  std::vector<std::pair<uint32_t, uint64_t>> ids = created_;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  // Sorted and distinct: a block is whole when kSegmentIds consecutive entries span it.
  for (size_t i = 0; i + kSegmentIds <= ids.size();) {
    const auto [model, id] = ids[i];
    const uint64_t block = id & ~(kSegmentIds - 1);
    const auto& last = ids[i + kSegmentIds - 1];
    if (id == block && last.first == model && last.second == block + kSegmentIds - 1) {
      whole.emplace_back(model, block);
      i += kSegmentIds;
    } else {
      ++i;
    }
  }
  return whole;
}

namespace {

// The merge of a bounded base iterator and the pending writes in [lower, upper). In each
// direction both sources sit at the next candidate; the smaller (forward) or larger (backward)
// key is current, the pending entry winning a tie (the base is stepped past it).
class OverlayIterator : public KvIterator {
 public:
  OverlayIterator(std::unique_ptr<KvIterator> base, const SearchPending::Writes* writes,
                  std::string lower, std::string upper)
      : base_(std::move(base)),
        writes_(writes),
        lower_(std::move(lower)),
        upper_(std::move(upper)) {
    lo_ = writes->lower_bound(lower_);
    hi_ = upper_.empty() ? writes->end() : writes->lower_bound(upper_);
    if (!upper_.empty() && lower_ >= upper_) lo_ = hi_;  // an empty range
    mi_ = hi_;
  }
  void Seek(std::string_view target) override {
    base_->Seek(target);
    SeekMap(target);
    forward_ = true;
    Settle();
  }
  void SeekForPrev(std::string_view target) override {
    base_->SeekForPrev(target);
    SeekMapForPrev(target, /*inclusive=*/true);
    forward_ = false;
    Settle();
  }
  void SeekToFirst() override {
    base_->SeekToFirst();
    mi_ = lo_;
    forward_ = true;
    Settle();
  }
  void SeekToLast() override {
    base_->SeekToLast();
    mi_ = lo_ == hi_ ? hi_ : std::prev(hi_);
    forward_ = false;
    Settle();
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    if (!valid_) return;
    if (!forward_) {
      // Re-position both sources after the current key.
      std::string k(key());
      k.push_back('\0');
      Seek(k);
      return;
    }
    Advance();
    Settle();
  }
  void Prev() override {
    if (!valid_) return;
    if (forward_) {
      std::string k(key());
      base_->SeekForPrev(k);
      if (base_->Valid() && base_->key() == k) base_->Prev();
      SeekMapForPrev(k, /*inclusive=*/false);
      forward_ = false;
      Settle();
      return;
    }
    Advance();
    Settle();
  }
  std::string_view key() const override {
    return from_map_ ? std::string_view(mi_->first) : base_->key();
  }
  std::string_view value() const override {
    return from_map_ ? std::string_view(*mi_->second) : base_->value();
  }
  Status status() const override { return base_->status(); }
  uint64_t keys_scanned() const override { return base_->keys_scanned(); }

 private:
  using It = SearchPending::Writes::const_iterator;
  // The first pending entry at or after `target` within the bounds; hi_ if none.
  void SeekMap(std::string_view target) {
    if (target <= std::string_view(lower_)) {
      mi_ = lo_;
    } else if (!upper_.empty() && target >= std::string_view(upper_)) {
      mi_ = hi_;
    } else {
      mi_ = writes_->lower_bound(target);
    }
  }
  // The last pending entry at or before `target` (before it, not `inclusive`); hi_ if none.
  void SeekMapForPrev(std::string_view target, bool inclusive) {
    if (target < std::string_view(lower_)) {
      mi_ = hi_;
      return;
    }
    It it =
        !upper_.empty() && target >= std::string_view(upper_) ? hi_ : writes_->lower_bound(target);
    if (inclusive && it != hi_ && it->first == target) {
      mi_ = it;
      return;
    }
    mi_ = it == lo_ ? hi_ : std::prev(it);
  }
  void StepMap() {
    if (forward_) {
      ++mi_;
    } else {
      mi_ = mi_ == lo_ ? hi_ : std::prev(mi_);
    }
  }
  void StepBase() {
    if (forward_) {
      base_->Next();
    } else {
      base_->Prev();
    }
  }
  void Advance() {
    if (from_map_) {
      StepMap();
    } else {
      StepBase();
    }
  }
  void Settle() {
    valid_ = false;
    while (true) {
      bool bv = base_->Valid(), mv = mi_ != hi_;
      if (!bv && !mv) return;
      int c = !bv ? 1 : !mv ? -1 : base_->key().compare(mi_->first);
      if (!forward_ && bv && mv) c = -c;
      if (c < 0) {
        from_map_ = false;
        valid_ = true;
        return;
      }
      if (c == 0) StepBase();  // shadowed by the pending entry
      if (mi_->second) {
        from_map_ = true;
        valid_ = true;
        return;
      }
      StepMap();  // a pending delete
    }
  }

  std::unique_ptr<KvIterator> base_;
  const SearchPending::Writes* writes_;
  std::string lower_, upper_;
  It lo_, hi_, mi_;
  bool forward_ = true, from_map_ = false, valid_ = false;
};

}  // namespace

std::unique_ptr<KvIterator> NewSearchOverlay(std::unique_ptr<KvIterator> base,
                                             const SearchPending::Writes* writes, std::string lower,
                                             std::string upper) {
  return std::make_unique<OverlayIterator>(std::move(base), writes, std::move(lower),
                                           std::move(upper));
}

double SearchStats::AverageLength(uint16_t field_id) const {
  auto it = field_tokens.find(field_id);
  if (doc_count <= 0 || it == field_tokens.end() || it->second <= 0) return 0;
  return static_cast<double>(it->second) / static_cast<double>(doc_count);
}

// ---- the write side ----

namespace {

// An `fts` value as the transaction sees it: its pending write if any, else the stored one.
Result<std::optional<std::string>> ReadFts(rocksdb::Transaction* txn, Store::Rep* rep,
                                           const SearchPending& pending, const std::string& key,
                                           const char* what) {
  if (const std::optional<std::string>* p = pending.Find(key)) return *p;
  auto r = ReadStored(Cf::kFts, key, [&](const rocksdb::Slice& k, std::string* v) {
    return txn->Get(rocksdb::ReadOptions(), rep->cf(Cf::kFts), k, v);
  });
  if (!r.ok()) return Status(r.status().code(), std::string(what) + ": " + r.status().message());
  return r;
}

// The stored postings of `keys` (logical posting keys, one record) as the transaction sees them:
// pending writes first, the rest read with one MultiGet of their segments. An increment reads
// the postings of ~10 date and number terms; one Get each cost a memtable and an SST lookup
// apiece (a third of a random-record increment at 100k posts).
Result<std::vector<std::optional<std::string>>> ReadPostings(rocksdb::Transaction* txn,
                                                             Store::Rep* rep,
                                                             const SearchPending& pending,
                                                             const std::vector<std::string>& keys) {
  std::vector<std::optional<std::string>> out(keys.size());
  std::vector<size_t> todo;
  std::vector<std::string> segment_keys;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (const std::optional<std::string>* p = pending.Find(keys[i])) {
      out[i] = *p;
    } else {
      todo.push_back(i);
      segment_keys.push_back(SegmentKeyOf(keys[i]));
    }
  }
  if (todo.empty()) return out;
  std::vector<rocksdb::Slice> slices(segment_keys.begin(), segment_keys.end());
  std::vector<rocksdb::PinnableSlice> values(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  txn->MultiGet(rocksdb::ReadOptions(), rep->cf(Cf::kFts), slices.size(), slices.data(),
                values.data(), statuses.data());
  for (size_t j = 0; j < todo.size(); ++j) {
    if (statuses[j].IsNotFound()) continue;
    if (!statuses[j].ok()) {
      Status s = FromRocks(statuses[j], "read");
      return Status(s.code(), "reading a posting: " + s.message());
    }
    auto posting = PostingInSegment(values[j].ToStringView(), keys[todo[j]]);
    if (!posting.ok()) {
      return Status(posting.status().code(), "reading a posting: " + posting.status().message());
    }
    out[todo[j]] = std::move(*posting);
  }
  return out;
}

using PostingParts = std::vector<PostingField>;

// Calls on_changed(term, its parts before or nullptr, its parts after or nullptr) for each term
// whose parts differ between two analyses of a record (in one only, or in both but not the
// same), in term order: a merge walk over the two sorted term lists.
template <typename Fn>
void ForEachChangedTerm(const DocTerms& before, const DocTerms& after, Fn on_changed) {
  auto bi = before.terms.begin(), ai = after.terms.begin();
  while (bi != before.terms.end() || ai != after.terms.end()) {
    int c = bi == before.terms.end()  ? 1
            : ai == after.terms.end() ? -1
                                      : bi->first.compare(ai->first);
    if (c < 0) {
      on_changed(bi->first, &bi->second, nullptr);
      ++bi;
    } else if (c > 0) {
      on_changed(ai->first, nullptr, &ai->second);
      ++ai;
    } else {
      if (bi->second != ai->second) on_changed(ai->first, &bi->second, &ai->second);
      ++bi;
      ++ai;
    }
  }
}

// The unchanged searchable fields of an updated record, for finding a term's parts in them
// without reading its stored posting (which, with operands of its segment pending, RocksDB
// merges whole: up to a 4,096-id segment for one posting). The stored posting's parts in the
// unchanged fields are those fields' own analysis (the record is indexed with the model's
// current fields; the checker proves postings and records agree), so:
//   * When the unchanged fields' texts are at most kAnalyzeAllBytes in all (a post's body of a
//     few hundred bytes, next to numbers, dates and ids), every term is answered from their
//     analyses, each field analyzed on first need: a text edit reads no posting.
//   * Otherwise only digit runs (the terms of a number or a date: what an increment changes)
//     are answered. A field's text holds a digit run only if its bytes contain it: the
//     analyzer leaves ASCII digits as they are, and the only ASCII it drops inside a number is
//     the apostrophe (`4'3` is the term 43). So a field whose text is ASCII without
//     apostrophes and lacks the run holds none of it; one that has it is analyzed when short
//     (at most kShortFieldBytes), and sends the term to the read when long. Text with an
//     apostrophe or a non-ASCII byte (NFKC turns full-width and other digits into ASCII ones)
//     always sends it to the read. Analyzing a long text on every increment would cost more
//     than the few postings it saves reading.
class UnchangedFields {
 public:
  static constexpr size_t kShortFieldBytes = 64;
  static constexpr size_t kAnalyzeAllBytes = 4096;

  // `changed`: ascending. The fields' texts are read on the first term asked about.
  UnchangedFields(uint64_t id, const RecordView& record, const FieldLengths& lengths,
                  const std::vector<uint16_t>& changed)
      : id_(id), record_(record), lengths_(lengths), changed_(changed) {}

  // The parts of `term` the record's stored posting holds (those of the changed fields, from
  // `before`, and of the unchanged ones), sorted by field; empty when it holds none. nullopt
  // when that cannot be known without reading the posting.
  std::optional<std::vector<PostingField>> PartsWithout(std::string_view term,
                                                        const DocTerms& before) const {
    if (term.empty()) return std::nullopt;
    if (!read_) Read();
    bool digits = true;
    for (const char c : term) digits = digits && c >= '0' && c <= '9';
    if (!digits && !analyze_all_) return std::nullopt;
    std::vector<const Field*> holding;
    for (const Field& f : fields_) {
      bool contains = !digits || !f.plain;
      for (size_t i = 0; !contains && i < f.texts.size(); ++i) {
        contains = f.texts[i].find(term) != std::string::npos;
      }
      if (!contains) continue;
      if (!f.is_short && !analyze_all_) return std::nullopt;
      holding.push_back(&f);
    }
    std::vector<PostingField> parts;
    if (auto b = before.FindTerm(term); b != before.terms.end()) parts = b->second;
    for (const Field* f : holding) {
      const DocTerms& analyzed = Analyzed(*f);
      if (auto u = analyzed.FindTerm(term); u != analyzed.terms.end()) {
        parts.insert(parts.end(), u->second.begin(), u->second.end());
      }
    }
    std::sort(parts.begin(), parts.end(),
              [](const PostingField& x, const PostingField& y) { return x.field_id < y.field_id; });
    return parts;
  }

  // The distinct surfaces of unchanged field `fid` (analyzed on first need, once).
  const std::vector<std::string>& Surfaces(uint16_t fid) const {
    if (!read_) Read();
    for (const Field& f : fields_) {
      if (f.id == fid) return Analyzed(f).surfaces;
    }
    static const std::vector<std::string> kNone;
    return kNone;
  }

 private:
  struct Field {
    uint16_t id;
    std::vector<std::string> texts;
    bool plain;  // ASCII without apostrophes
    bool is_short;
    mutable std::optional<DocTerms> analyzed;  // on first need
  };
  const DocTerms& Analyzed(const Field& f) const {
    if (!f.analyzed) f.analyzed = AnalyzeRecord(record_, {f.id});
    return *f.analyzed;
  }
  void Read() const {
    read_ = true;
    size_t total = 0;
    for (const auto& [fid, len] : lengths_) {
      if (std::binary_search(changed_.begin(), changed_.end(), fid)) continue;
      Field f{
          fid, SearchTexts(fid == kIdFieldId ? Value::Id(id_) : record_.Get(fid)), true, false, {}};
      size_t bytes = 0;
      for (const std::string& t : f.texts) {
        bytes += t.size();
        for (const char c : t) {
          if (static_cast<unsigned char>(c) >= 0x80 || c == '\'') f.plain = false;
        }
      }
      f.is_short = bytes <= kShortFieldBytes;
      total += bytes;
      fields_.push_back(std::move(f));
    }
    analyze_all_ = total <= kAnalyzeAllBytes;
  }
  const uint64_t id_;
  const RecordView& record_;
  const FieldLengths& lengths_;
  const std::vector<uint16_t>& changed_;
  mutable bool read_ = false;
  mutable bool analyze_all_ = false;
  mutable std::vector<Field> fields_;
};

// IndexSearchChange for an update that changes only `changed` (ascending; the record is
// indexed with the model's current fields, `lengths` from its doc entry). Only those fields
// are analyzed, old and new. A term whose parts in them differ gets its stored posting
// rewritten: the other fields' parts kept, the changed fields' replaced. A surface word they gained
// or lost counts for the document unless the unchanged fields hold it too. Only the unchanged
// fields that the term's stored posting lists can (a surface's term is in every field holding the
// surface), so only those are analyzed to find out: an increment that changes `score` and
// `updatedAt`, whose date terms `createdAt` shares, analyzes `createdAt`, never the title and the
// body.
Status IndexChangedFields(rocksdb::Transaction* txn, Store::Rep* rep, const ModelInfo& m,
                          uint64_t id, const RecordView& old_record, const RecordView& new_record,
                          const FieldLengths& lengths, const std::vector<uint16_t>& changed,
                          std::string doc_key, SearchPending* pending) {
  if (changed.empty()) return Status::OK();
  auto is_changed = [&](uint16_t fid) {
    return std::binary_search(changed.begin(), changed.end(), fid);
  };
  const DocTerms before = AnalyzeRecord(old_record, changed);
  const DocTerms after = AnalyzeRecord(new_record, changed);

  // The terms whose postings are read, each with whether it is rewritten and, once read, the
  // unchanged fields its stored posting lists. Rewritten: the terms whose changed fields' parts
  // differ. Only read: the terms of surfaces gained or lost whose parts stayed the same (the
  // unchanged fields decide whether the document still holds the surface). A term in both
  // versions with the same parts is neither: an increment of `score` within one second reads
  // and rewrites the old and the new number's postings, not those of `updatedAt`'s date terms.
  struct TermState {
    bool rewrite = false;
    std::vector<uint16_t> unchanged_fields;
    // The stored posting's parts, when known without reading it (UnchangedFields).
    std::optional<std::vector<PostingField>> known;
  };
  std::map<std::string_view, TermState> terms;
  ForEachChangedTerm(before, after,
                     [&](const std::string& term, const PostingParts*, const PostingParts*) {
                       terms[term].rewrite = true;
                     });
  std::vector<size_t> lost, gained;  // indexes into before.surfaces, after.surfaces
  for (size_t i = 0; i < before.surfaces.size(); ++i) {
    if (!after.HasSurface(before.surfaces[i])) {
      lost.push_back(i);
      terms.try_emplace(before.surface_terms[i]);
    }
  }
  for (size_t i = 0; i < after.surfaces.size(); ++i) {
    if (!before.HasSurface(after.surfaces[i])) {
      gained.push_back(i);
      terms.try_emplace(after.surface_terms[i]);
    }
  }

  // The stored posting of a term holds its parts in the changed fields (known: `before`) and in
  // the unchanged ones. For a digit run (the terms of a number or a date: what an increment
  // changes), those are found without reading it when every unchanged field is short (a number,
  // a date, an id: analyzed here, at little cost) or is text that cannot hold the run. Reading
  // the postings of a date's digits, common terms, was most of a cold increment's reads.
  const UnchangedFields unchanged(id, new_record, lengths, changed);
  std::vector<std::string> posting_keys;
  for (auto& [term, state] : terms) {
    state.known = unchanged.PartsWithout(term, before);
    if (!state.known) posting_keys.push_back(keys::SearchPostingKey(m.id, term, id));
  }
  ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> stored_postings,
                   ReadPostings(txn, rep, *pending, posting_keys));
  size_t read_index = 0;
  for (auto& [term, state] : terms) {
    std::string key;
    bool stored = false;
    std::vector<PostingField> fields;
    if (state.known) {
      key = keys::SearchPostingKey(m.id, term, id);
      fields = std::move(*state.known);
      stored = !fields.empty();
    } else {
      key = std::move(posting_keys[read_index]);
      const std::optional<std::string>& bytes = stored_postings[read_index];
      ++read_index;
      stored = bytes.has_value();
      if (bytes && !DecodePosting(*bytes, &fields)) {
        return Status(Code::kInvalidStoredData, m.api_identifier + " " + std::to_string(id) +
                                                    ": malformed posting for \"" +
                                                    std::string(term) + "\"");
      }
    }
    std::vector<PostingField> merged;
    for (auto& f : fields) {
      if (!is_changed(f.field_id)) merged.push_back(std::move(f));
    }
    for (const auto& f : merged) state.unchanged_fields.push_back(f.field_id);
    if (!state.rewrite) continue;
    if (auto a = after.FindTerm(term); a != after.terms.end()) {
      merged.insert(merged.end(), a->second.begin(), a->second.end());
    }
    std::sort(merged.begin(), merged.end(),
              [](const PostingField& x, const PostingField& y) { return x.field_id < y.field_id; });
    if (merged.empty()) {
      if (stored) {
        pending->Delete(std::move(key));
        pending->AddStat(keys::SearchDfKey(m.id, term), -1);
      }
    } else {
      if (!stored) pending->AddStat(keys::SearchDfKey(m.id, term), 1);
      pending->Put(std::move(key), EncodePosting(merged));
    }
  }

  // Surfaces gained or lost by the changed fields count unless an unchanged field holds them
  // too (its surfaces analyzed on first need).
  auto held_elsewhere = [&](const std::string& surface, const std::string& term) {
    for (uint16_t fid : terms.at(term).unchanged_fields) {
      const std::vector<std::string>& surfaces = unchanged.Surfaces(fid);
      if (std::binary_search(surfaces.begin(), surfaces.end(), surface)) return true;
    }
    return false;
  };
  for (size_t i : lost) {
    if (!held_elsewhere(before.surfaces[i], before.surface_terms[i])) {
      pending->AddStat(keys::SearchSurfaceKey(m.id, before.surfaces[i]), -1);
    }
  }
  for (size_t i : gained) {
    if (!held_elsewhere(after.surfaces[i], after.surface_terms[i])) {
      pending->AddStat(keys::SearchSurfaceKey(m.id, after.surfaces[i]), 1);
    }
  }

  // Lengths: the changed fields' replace theirs in the doc entry and the token totals.
  FieldLengths new_lengths = lengths;
  for (auto& [fid, len] : new_lengths) {
    auto old_len = std::find_if(before.field_lengths.begin(), before.field_lengths.end(),
                                [&](const auto& e) { return e.first == fid; });
    auto new_len = std::find_if(after.field_lengths.begin(), after.field_lengths.end(),
                                [&](const auto& e) { return e.first == fid; });
    if (old_len == before.field_lengths.end() || new_len == after.field_lengths.end()) continue;
    pending->AddStat(keys::SearchFieldTokensKey(m.id, fid),
                     static_cast<int64_t>(new_len->second) - static_cast<int64_t>(old_len->second));
    len = new_len->second;
  }
  if (new_lengths != lengths) pending->Put(std::move(doc_key), EncodeDocEntry(new_lengths));
  return Status::OK();
}

}  // namespace

void IndexCreatedRecord(const ModelInfo& m, uint64_t id, const RecordView& record,
                        SearchPending* pending) {
  const DocTerms doc = AnalyzeRecord(record, SearchFieldIds(m));
  // Every term is new to the record: its posting, and one more document for it.
  for (const auto& [term, parts] : doc.terms) {
    pending->Put(keys::SearchPostingKey(m.id, term, id), EncodePosting(parts));
    pending->AddStat(keys::SearchDfKey(m.id, term), 1);
  }
  // The surface dictionary: documents per unstemmed word.
  for (const std::string& surface : doc.surfaces) {
    pending->AddStat(keys::SearchSurfaceKey(m.id, surface), 1);
  }
  // Field token totals, the document count, and the document's entry.
  for (const auto& [fid, len] : doc.field_lengths) {
    pending->AddStat(keys::SearchFieldTokensKey(m.id, fid), static_cast<int64_t>(len));
  }
  pending->AddStat(keys::SearchDocCountKey(m.id), 1);
  pending->Put(keys::SearchDocKey(m.id, id), EncodeDocEntry(doc.field_lengths));
}

Status IndexSearchChange(rocksdb::Transaction* txn, Store::Rep* rep, const ModelInfo& m,
                         uint64_t id, const RecordView* old_record, const RecordView* new_record,
                         SearchPending* pending) {
  std::string doc_key = keys::SearchDocKey(m.id, id);
  // The fields the record was indexed with (the schema may have changed since): the doc entry
  // says. The record is locked, so nobody else changes its postings meanwhile.
  std::optional<std::string> entry;
  if (old_record) {
    ASSIGN_OR_RETURN(entry, ReadFts(txn, rep, *pending, doc_key, "reading the search entry"));
  }
  // No entry (a new record, or one indexed before it had anything searchable): every posting
  // of the new version is new.
  if (!entry) {
    if (new_record) IndexCreatedRecord(m, id, *new_record, pending);
    return Status::OK();
  }
  FieldLengths lengths;
  if (!DecodeDocEntry(*entry, &lengths)) {
    return Status(Code::kInvalidStoredData, m.api_identifier + " " + std::to_string(id) +
                                                ": malformed search document entry");
  }
  std::vector<uint16_t> fids;
  for (const auto& [fid, len] : lengths) fids.push_back(fid);
  const std::vector<uint16_t> current = new_record ? SearchFieldIds(m) : std::vector<uint16_t>();
  if (new_record && fids == current) {
    // An update under the same field set: only the fields whose values differ are re-analyzed
    // (an `_atomics` increment must not re-tokenize the body).
    std::vector<uint16_t> changed;
    for (uint16_t fid : fids) {
      if (fid != kIdFieldId && !(old_record->Get(fid) == new_record->Get(fid))) {
        changed.push_back(fid);
      }
    }
    if (changed.size() < fids.size()) {
      return IndexChangedFields(txn, rep, m, id, *old_record, *new_record, lengths, changed,
                                std::move(doc_key), pending);
    }
  }
  DocTerms before = AnalyzeRecord(*old_record, fids);
  DocTerms after;
  if (new_record) after = AnalyzeRecord(*new_record, current);

  // Postings and document frequencies: the terms whose parts differ.
  ForEachChangedTerm(before, after,
                     [&](const std::string& term, const PostingParts* b, const PostingParts* a) {
                       if (a == nullptr) {
                         pending->Delete(keys::SearchPostingKey(m.id, term, id));
                         pending->AddStat(keys::SearchDfKey(m.id, term), -1);
                         return;
                       }
                       pending->Put(keys::SearchPostingKey(m.id, term, id), EncodePosting(*a));
                       if (b == nullptr) pending->AddStat(keys::SearchDfKey(m.id, term), 1);
                     });
  // The surface dictionary: documents per unstemmed word.
  {
    auto so = before.surfaces.begin(), sn = after.surfaces.begin();
    while (so != before.surfaces.end() || sn != after.surfaces.end()) {
      int c = so == before.surfaces.end() ? 1 : sn == after.surfaces.end() ? -1 : so->compare(*sn);
      if (c < 0) pending->AddStat(keys::SearchSurfaceKey(m.id, *so++), -1);
      if (c > 0) pending->AddStat(keys::SearchSurfaceKey(m.id, *sn++), 1);
      if (c == 0) ++so, ++sn;
    }
  }
  // Field token totals and the document count.
  for (const auto& [fid, len] : before.field_lengths) {
    pending->AddStat(keys::SearchFieldTokensKey(m.id, fid), -static_cast<int64_t>(len));
  }
  for (const auto& [fid, len] : after.field_lengths) {
    pending->AddStat(keys::SearchFieldTokensKey(m.id, fid), static_cast<int64_t>(len));
  }
  if (new_record) {
    if (before.field_lengths != after.field_lengths) {
      pending->Put(std::move(doc_key), EncodeDocEntry(after.field_lengths));
    }
  } else {
    pending->AddStat(keys::SearchDocCountKey(m.id), -1);
    pending->Delete(std::move(doc_key));
  }
  return Status::OK();
}

Status AppendSearchPending(rocksdb::Transaction* txn, Store::Rep* rep, SearchPending* pending,
                           std::shared_lock<std::shared_mutex>* gate) {
  *gate = std::shared_lock<std::shared_mutex>(rep->dict_gate);
  // The plain batch under the transaction's indexed one: Commit writes exactly its bytes
  // (WriteCommittedTxn::CommitWithoutPrepareInternal), and nothing reads the index after this.
  rocksdb::WriteBatch* batch = txn->GetWriteBatch()->GetWriteBatch();
  rocksdb::ColumnFamilyHandle* fts = rep->cf(Cf::kFts);
  rocksdb::ColumnFamilyHandle* stat = rep->cf(Cf::kStat);
  rocksdb::Status s;
  // Dictionary keys whose count rises may be new terms: a model's in-memory dictionary, if one
  // is registered (built or being built), must have them before the commit is visible. The
  // keys come sorted, so one model at a time; none is collected for models without one.
  uint32_t model_id = 0;
  std::shared_ptr<TermDictionary> dict;
  bool looked_up = false;
  std::vector<std::string_view> raised[2];  // by TermDictionary::Kind
  auto add_raised = [&] {
    for (int kind : {TermDictionary::kTerms, TermDictionary::kSurfaces}) {
      if (dict && !raised[kind].empty()) {
        dict->Add(static_cast<TermDictionary::Kind>(kind), raised[kind]);
      }
      raised[kind].clear();
    }
  };
  // Postings go in as one merge operand per segment (posting_segments.h), or as its value when
  // this transaction created every record of the segment's block (a bulk create: no merge
  // operand to count or to merge on reads).
  auto slice = [](std::string_view v) { return rocksdb::Slice(v.data(), v.size()); };
  const std::vector<std::pair<uint32_t, uint64_t>> whole_blocks = pending->WholeBlocks();
  SegmentWriter segments(
      [&](std::string_view key, std::string_view operand) {
        if (s.ok()) s = batch->Merge(fts, slice(key), slice(operand));
      },
      [&](std::string_view key, std::string_view value) {
        if (s.ok()) s = batch->Put(fts, slice(key), slice(value));
      },
      [&](std::string_view key) {
        if (s.ok()) s = batch->Delete(fts, slice(key));
      },
      whole_blocks.empty() ? SegmentWriter::WholeFn()
                           : [&](uint32_t model, uint64_t block) {
                               return std::binary_search(whole_blocks.begin(), whole_blocks.end(),
                                                         std::make_pair(model, block));
                             });
  pending->ForEachSorted(
      [&](const std::string& key, const std::string& value) { segments.Write(key, value); },
      [&](const std::string& key) { segments.Write(key, std::nullopt); },
      [&](const std::string& key, int64_t delta) {
        if (s.ok()) s = batch->Merge(stat, key, EncodeI64LE(delta));
        uint32_t key_model;
        bool surface;
        std::string_view term;
        if (delta <= 0 || !keys::ParseSearchDictionaryKey(key, &key_model, &surface, &term) ||
            !TermDictionary::Held(term)) {
          return;
        }
        if (!looked_up || key_model != model_id) {
          add_raised();
          model_id = key_model;
          dict = rep->FindTermDictionary(model_id);
          looked_up = true;
        }
        if (dict)
          raised[surface ? TermDictionary::kSurfaces : TermDictionary::kTerms].push_back(term);
      });
  segments.Finish();
  add_raised();
  pending->Clear();
  return FromRocks(s, "search index write");
}

std::shared_ptr<TermDictionary> TermDictionaryFor(Store::Rep* rep, uint32_t model_id) {
  if (std::shared_ptr<TermDictionary> found = rep->FindTermDictionary(model_id)) {
    return found->ready() ? found : nullptr;
  }
  std::unique_lock<std::mutex> build(rep->dict_build_mu, std::try_to_lock);
  if (!build.owns_lock()) return nullptr;  // another search builds one; use the disk meanwhile
  auto dict = std::make_shared<TermDictionary>();
  const rocksdb::Snapshot* snap = nullptr;
  {
    std::unique_lock<std::shared_mutex> gate(rep->dict_gate);
    std::lock_guard<std::mutex> lock(rep->dicts_mu);
    auto [it, inserted] = rep->dicts.try_emplace(model_id, dict);
    if (!inserted) return it->second->ready() ? it->second : nullptr;
    snap = rep->db->GetSnapshot();
  }
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  Status st;
  for (int kind : {TermDictionary::kTerms, TermDictionary::kSurfaces}) {
    // From the first held byte to the end of the kind's keys.
    std::string prefix = kind == TermDictionary::kTerms ? keys::SearchDfPrefix(model_id)
                                                        : keys::SearchSurfacePrefix(model_id);
    std::string upper = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(rep->db->NewIterator(ro, rep->cf(Cf::kStat)));
    std::vector<std::string> terms;
    for (it->Seek(prefix + static_cast<char>(TermDictionary::kMinByte)); it->Valid(); it->Next()) {
      if (DecodeI64LE(std::string_view(it->value().data(), it->value().size())) > 0) {
        terms.emplace_back(it->key().data() + prefix.size(), it->key().size() - prefix.size());
      }
    }
    dict->Add(static_cast<TermDictionary::Kind>(kind),
              std::vector<std::string_view>(terms.begin(), terms.end()));
    if (!it->status().ok()) st = FromRocks(it->status(), "reading the term dictionary");
    ro.iterate_upper_bound = nullptr;
    if (!st.ok()) break;
  }
  rep->db->ReleaseSnapshot(snap);
  std::lock_guard<std::mutex> lock(rep->dicts_mu);
  if (!st.ok()) {
    rep->dicts.erase(model_id);  // the next search tries again
    return nullptr;
  }
  dict->set_ready();
  return dict;
}

Status DeleteSearchIndex(Store::Rep* rep, uint32_t model_id) {
  {
    // Its terms are gone: the next search builds the dictionary afresh.
    std::lock_guard<std::mutex> lock(rep->dicts_mu);
    rep->dicts.erase(model_id);
  }
  for (const std::string& p :
       {keys::SearchPostingModelPrefix(model_id), keys::SearchDocPrefix(model_id)}) {
    RETURN_IF_ERROR(rep->DeleteRange(Cf::kFts, p, keys::PrefixSuccessor(p)));
  }
  std::string meta = keys::SearchMetaKey(model_id);
  RETURN_IF_ERROR(rep->DeleteRange(Cf::kFts, meta, keys::PrefixSuccessor(meta)));
  std::string stats = keys::SearchStatsPrefix(model_id);
  RETURN_IF_ERROR(rep->DeleteRange(Cf::kStat, stats, keys::PrefixSuccessor(stats)));
  // Stores from before "stats/cf" (SearchMetaValue) kept the statistics in `ctr`.
  return rep->DeleteRange(Cf::kCtr, stats, keys::PrefixSuccessor(stats));
}

Status RebuildSearchIndex(Store::Rep* rep, const ModelInfo& model, bool wipe) {
  if (wipe) RETURN_IF_ERROR(DeleteSearchIndex(rep, model.id));
  const std::vector<uint16_t> want = SearchFieldIds(model);
  constexpr size_t kBatch = 500;
  const std::string what = "rebuilding the search index of " + model.api_identifier;
  for (uint64_t from = 0;;) {
    ASSIGN_OR_RETURN(std::vector<uint64_t> ids, ListRecordIds(rep, model.id, from, kBatch));
    if (ids.empty()) break;
    from = ids.back() + 1;
    rocksdb::TransactionOptions to;
    to.lock_timeout = rep->options.lock_timeout_ms;
    std::unique_ptr<rocksdb::Transaction> txn(rep->db->BeginTransaction(rep->write_options, to));
    SearchPending pending;
    for (uint64_t id : ids) {
      std::string v;
      rocksdb::Status s = txn->GetForUpdate(rocksdb::ReadOptions(), rep->cf(Cf::kRec),
                                            keys::RecordKey(model.id, id), &v);
      if (s.IsNotFound()) continue;  // deleted since we listed it
      RETURN_IF_ERROR(FromRocks(s, what));
      ASSIGN_OR_RETURN(RecordView rv, RecordView::Parse(std::move(v), id, model.api_identifier));
      if (!wipe) {
        // Indexed with the current fields already (by a write since the schema change)?
        std::string entry;
        s = txn->Get(rocksdb::ReadOptions(), rep->cf(Cf::kFts), keys::SearchDocKey(model.id, id),
                     &entry);  // (each record is visited once: nothing of it is pending)
        if (!s.ok() && !s.IsNotFound()) return FromRocks(s, what);
        FieldLengths lengths;
        if (s.ok() && DecodeDocEntry(entry, &lengths)) {
          std::vector<uint16_t> have;
          for (const auto& [fid, len] : lengths) have.push_back(fid);
          if (have == want) continue;
        }
      }
      RETURN_IF_ERROR(IndexSearchChange(txn.get(), rep, model, id, &rv, &rv, &pending));
    }
    std::shared_lock<std::shared_mutex> dict_gate;  // held to the end of the commit
    RETURN_IF_ERROR(AppendSearchPending(txn.get(), rep, &pending, &dict_gate));
    RETURN_IF_ERROR(FromRocks(txn->Commit(), what));
  }
  return FromRocks(rep->db->Put(rep->write_options, rep->cf(Cf::kFts),
                                keys::SearchMetaKey(model.id), SearchMetaValue(model)),
                   what);
}

Status EnsureSearchIndex(Store::Rep* rep, const ModelInfo& model) {
  std::string meta;
  rocksdb::Status s =
      rep->db->Get(rocksdb::ReadOptions(), rep->cf(Cf::kFts), keys::SearchMetaKey(model.id), &meta);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the search index meta");
  const std::string want = SearchMetaValue(model);
  if (s.ok() && meta == want) return Status::OK();
  // A different analyzer (or no index yet): old postings cannot be re-derived, start over.
  // Only the field set differs: re-index record by record, diffing against what is there.
  bool wipe = !s.ok() || SearchMetaAnalyzerPart(meta) != SearchMetaAnalyzerPart(want);
  return RebuildSearchIndex(rep, model, wipe);
}

// ---- the read side ----

SearchReader::SearchReader(ReadView& view, const ModelInfo& model) : view_(view), model_(model) {}

namespace {

int64_t PendingDelta(const ReadView& view, const std::string& key) {
  const SearchPending* p = view.pending_search();
  return p ? p->Stat(key) : 0;
}

// A statistics count at `view`: the stored value of `key` (absent: 0) plus the view's pending
// delta.
int64_t CountAt(const ReadView& view, const std::optional<std::string>& stored,
                const std::string& key) {
  return (stored ? DecodeI64LE(*stored) : 0) + PendingDelta(view, key);
}

}  // namespace

Result<SearchStats> SearchReader::ReadStats() {
  SearchStats st;
  const std::string n_key = keys::SearchDocCountKey(model_.id);
  ASSIGN_OR_RETURN(std::optional<std::string> n, view_.GetRaw(Cf::kStat, n_key));
  st.doc_count = CountAt(view_, n, n_key);
  for (uint16_t fid : SearchFieldIds(model_)) {
    const std::string key = keys::SearchFieldTokensKey(model_.id, fid);
    ASSIGN_OR_RETURN(std::optional<std::string> v, view_.GetRaw(Cf::kStat, key));
    st.field_tokens[fid] = CountAt(view_, v, key);
  }
  return st;
}

Result<int64_t> SearchReader::DocFreq(std::string_view term) {
  return Count(keys::SearchDfKey(model_.id, term));
}

Status SearchReader::DocFreqMany(const std::vector<std::string_view>& terms,
                                 std::vector<int64_t>* out) {
  std::vector<std::string> df_keys;
  df_keys.reserve(terms.size());
  for (std::string_view term : terms) df_keys.push_back(keys::SearchDfKey(model_.id, term));
  return CountMany(std::move(df_keys), out);
}

std::unique_ptr<KvIterator> SearchReader::NewModelPostingIterator() {
  std::string p = keys::SearchPostingModelPrefix(model_.id);
  std::string upper = keys::PrefixSuccessor(p);
  return view_.NewIterator(Cf::kFts, std::move(p), std::move(upper));
}

// The dictionary: the 'F' m 'T' keys of `stat` with a positive count, merged with the
// transaction's pending deltas (a term first written by this transaction is in the dictionary
// for its own reads).
class DictionaryCursor : public search::TermCursor {
 public:
  // The keys in [prefix, upper).
  DictionaryCursor(SearchReader* reader, std::string prefix, const std::string& upper)
      : reader_(reader), prefix_(std::move(prefix)) {
    it_ = reader->view_.NewIterator(Cf::kStat, prefix_, upper);
    pending_ = reader->view_.pending_search();
    if (pending_) {
      pend_ = pending_->SortedStats().lower_bound(upper);
      pit_ = pend_;
    }
  }
  void Seek(std::string_view target) override {
    std::string k = prefix_ + std::string(target);
    it_->Seek(k);
    if (pending_) pit_ = pending_->SortedStats().lower_bound(k);
    Settle();
  }
  bool Valid() const override { return valid_; }
  std::string_view term() const override { return term_; }
  void Next() override {
    if (at_disk_) it_->Next();
    if (at_pending_) ++pit_;
    Settle();
  }

 private:
  bool PendingValid() const { return pending_ && pit_ != pend_; }
  void Settle() {
    valid_ = false;
    while (true) {
      bool a = it_->Valid(), b = PendingValid();
      if (!a && !b) break;
      int c = !a ? 1 : !b ? -1 : it_->key().compare(pit_->first);
      at_disk_ = c <= 0;
      at_pending_ = c >= 0;
      int64_t total = 0;
      if (at_disk_) total += DecodeI64LE(it_->value());
      if (at_pending_) total += pit_->second;
      if (total > 0) {
        std::string_view key = at_disk_ ? it_->key() : std::string_view(pit_->first);
        term_.assign(key.substr(prefix_.size()));
        valid_ = true;
        return;
      }
      if (at_disk_) it_->Next();
      if (at_pending_) ++pit_;
    }
    if (!it_->status().ok() && reader_->status_.ok()) reader_->status_ = it_->status();
  }

  SearchReader* reader_;
  std::string prefix_;
  std::unique_ptr<KvIterator> it_;
  const SearchPending* pending_ = nullptr;
  std::map<std::string, int64_t>::const_iterator pit_, pend_;
  bool at_disk_ = false, at_pending_ = false, valid_ = false;
  std::string term_;
};

// A dictionary read from memory where the model's TermDictionary holds it (terms from
// kMinByte on) and from disk below that (numbers, dates, ids). The memory part is a superset:
// CheckLive() confirms its terms at the reader's snapshot. Only for snapshot views (a
// transaction's own pending counts are merged by DictionaryCursor alone).
class HybridDictionaryCursor : public search::TermCursor {
 public:
  HybridDictionaryCursor(SearchReader* reader, const std::string& prefix,
                         std::shared_ptr<const TermDictionary> dict, TermDictionary::Kind kind)
      : reader_(reader),
        prefix_(prefix),
        dict_(std::move(dict)),
        memory_(dict_->Current(kind)),
        disk_(reader, prefix, prefix + static_cast<char>(TermDictionary::kMinByte)) {}
  void Seek(std::string_view target) override {
    if (!TermDictionary::Held(target)) {
      // A walk seeks the disk region (below kMinByte) many times; once a seek there found
      // nothing, no seek at or above its target can (one snapshot), so skip the RocksDB seek.
      if (!disk_empty_from_ || target < *disk_empty_from_) {
        disk_.Seek(target);
        on_disk_ = disk_.Valid();
        if (on_disk_) return;
        disk_empty_from_ = std::string(target);
      }
      target = kFirstHeld;
    }
    on_disk_ = false;
    memory_.Seek(target);
  }
  bool Valid() const override { return on_disk_ || memory_.Valid(); }
  std::string_view term() const override { return on_disk_ ? disk_.term() : memory_.term(); }
  void Next() override {
    if (on_disk_) {
      disk_.Next();
      if (disk_.Valid()) return;
      on_disk_ = false;
      memory_.Seek(kFirstHeld);
      return;
    }
    memory_.Next();
  }
  void CheckLive(const std::vector<std::string_view>& terms, std::vector<bool>* live) override {
    live->assign(terms.size(), true);  // the disk cursor shows only positive counts
    std::vector<std::string> keys;
    std::vector<size_t> slots;
    for (size_t i = 0; i < terms.size(); ++i) {
      if (!TermDictionary::Held(terms[i])) continue;
      keys.emplace_back(prefix_).append(terms[i]);
      slots.push_back(i);
    }
    if (keys.empty()) return;
    std::vector<int64_t> counts;
    Status st = reader_->CountMany(std::move(keys), &counts);
    if (!st.ok()) reader_->NoteError(st);
    for (size_t j = 0; j < slots.size(); ++j) (*live)[slots[j]] = st.ok() && counts[j] > 0;
  }

 private:
  static constexpr char kFirstHeldChar = static_cast<char>(TermDictionary::kMinByte);
  static constexpr std::string_view kFirstHeld{&kFirstHeldChar, 1};

  SearchReader* reader_;
  std::string prefix_;
  std::shared_ptr<const TermDictionary> dict_;  // owns the bytes memory_'s terms point to
  TermDictionary::Cursor memory_;               // the dictionary's version when the cursor was made
  DictionaryCursor disk_;
  std::optional<std::string> disk_empty_from_;  // disk_ holds nothing at or above this
  bool on_disk_ = false;
};

std::unique_ptr<search::TermCursor> SearchReader::NewCursor(const std::string& prefix, int kind) {
  if (!view_.pending_search()) {
    if (std::shared_ptr<TermDictionary> dict = view_.term_dictionary(model_.id)) {
      return std::make_unique<HybridDictionaryCursor>(this, prefix, std::move(dict),
                                                      static_cast<TermDictionary::Kind>(kind));
    }
  }
  return std::make_unique<DictionaryCursor>(this, prefix, keys::PrefixSuccessor(prefix));
}

std::unique_ptr<search::TermCursor> SearchReader::NewDictionaryCursor() {
  return NewCursor(keys::SearchDfPrefix(model_.id), TermDictionary::kTerms);
}

std::unique_ptr<search::TermCursor> SearchReader::NewSurfaceCursor() {
  return NewCursor(keys::SearchSurfacePrefix(model_.id), TermDictionary::kSurfaces);
}

Result<int64_t> SearchReader::Count(const std::string& key) {
  if (auto it = counts_.find(key); it != counts_.end()) return it->second;
  ASSIGN_OR_RETURN(std::optional<std::string> v, view_.GetRaw(Cf::kStat, key));
  int64_t n = CountAt(view_, v, key);
  counts_.emplace(key, n);
  return n;
}

Status SearchReader::CountMany(std::vector<std::string> keys, std::vector<int64_t>* out) {
  out->assign(keys.size(), 0);
  std::vector<std::string> missing;
  std::vector<size_t> slots;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (auto it = counts_.find(keys[i]); it != counts_.end()) {
      (*out)[i] = it->second;
    } else {
      missing.push_back(std::move(keys[i]));
      slots.push_back(i);
    }
  }
  if (missing.empty()) return Status::OK();
  std::vector<std::optional<std::string>> values;
  RETURN_IF_ERROR(view_.MultiGetRaw(Cf::kStat, missing, &values));
  for (size_t j = 0; j < missing.size(); ++j) {
    int64_t n = CountAt(view_, values[j], missing[j]);
    (*out)[slots[j]] = n;
    counts_.emplace(std::move(missing[j]), n);
  }
  return Status::OK();
}

void SearchReader::NoteError(const Status& s) {
  if (status_.ok()) status_ = s;
}

}  // namespace actiondb::engine
