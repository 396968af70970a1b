// Store: open, catalog and schema changes, read views and record conversion.
// The write path is in store_write.cc; the consistency checker in checker.cc.
#include "engine/store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <thread>

#include "engine/merge_operators.h"
#include "engine/password.h"
#include "engine/posting_segments.h"
#include "engine/rocks_options.h"
#include "engine/search_index.h"
#include "engine/store_internal.h"
#include "engine/validation.h"

namespace actiondb::engine {

namespace {
constexpr const char* kCfNames[kNumCfs] = {"default", "rec", "idx", "fts", "ctr", "stat"};
constexpr const char* kCatalogKey = "catalog";
// Never present: deleted at each clean close (~Store).
constexpr const char* kClosedKey = "closed";
}  // namespace

const char* CfName(Cf cf) {
  static constexpr const char* kNames[kNumCfs] = {"meta", "rec", "idx", "fts", "ctr", "stat"};
  return kNames[static_cast<int>(cf)];
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  std::string msg = context.empty() ? s.ToString() : context + ": " + s.ToString();
  if (s.IsTimedOut()) {
    return Status(Code::kTransactionTimeout,
                  context + ": timed out waiting for a lock held by another transaction");
  }
  if (s.IsBusy() || s.IsTryAgain() || s.IsDeadlock()) {
    return Status(Code::kTransactionConflict,
                  context + ": conflicting concurrent write (" + s.ToString() + "); retry");
  }
  if (s.IsCorruption()) return Status(Code::kInvalidStoredData, msg);
  if (s.IsIOError()) {
    if (s.ToString().find("lock") != std::string::npos &&
        s.ToString().find("LOCK") != std::string::npos) {
      return Status(Code::kDatabaseLocked, context + ": the database is open in another process");
    }
    return Status(Code::kIoError, msg);
  }
  if (s.IsNotFound()) return Status(Code::kRecordNotFound, msg);
  return Status(Code::kInternal, msg);
}

namespace {

// Memtable inserts with a hint (`memtable_insert_with_hint_prefix_extractor`): the memtable
// remembers where the last key of each prefix went and starts the next insert of that prefix
// from there, climbing only as far as the two keys are apart. A commit's keys arrive sorted per
// column family (the search index's segments and statistics) or ascending per index and model
// (records, index entries of increasing ids), so consecutive inserts of a prefix land close
// together; without a hint RocksDB restarts every insert that does not directly follow the
// previous one from the top of a skiplist of ~10^5-10^6 entries. The prefix is the first 4
// bytes: the model of a record, the index of an index entry, the kind and model of a search
// key. A bulk load of 20,000 posts, 5 interleaved runs each: median 2,303 -> 2,668 rec/s
// (+16%). docs/key-layout.md has the finer prefixes measured and not used.
//
// RocksDB 7.8 looks range tombstones up in the same hint table as ordinary keys but inserts
// them into another skiplist, so a range tombstone must never have a hint: keys of at most
// kMaxRangeDeleteBegin bytes are out of the domain, and Rep::DeleteRange accepts no longer
// begin key (every caller deletes a model's, an index's or a search index's prefix).
class InsertHintPrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "actiondb.InsertHintPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 4);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() > kMaxRangeDeleteBegin;
  }
};

}  // namespace

int BlockCacheShardBits(size_t capacity) {
  int bits = 0;
  while (bits < 6 && (capacity >> (bits + 1)) >= kMinBlockCacheShardBytes) ++bits;
  return bits;
}

rocksdb::ColumnFamilyOptions MakeCfOptions(const std::shared_ptr<rocksdb::Cache>& cache, bool merge,
                                           bool small_keys) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  // Records are read one at a time, at random (point gets, the rows of an index page): a
  // cache miss reads, checksums and decompresses a whole block, so theirs are small.
  t.block_size = small_keys ? 16 * 1024 : 4 * 1024;
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Partitioned filters and indexes: a search-index SST holds millions of small posting keys,
  // so its one-piece bloom filter is megabytes, larger than a block-cache shard (256 MiB / 64
  // shards): it never stayed cached, and every point read of a posting re-read and
  // checksummed the whole filter from the file (increments fell to ~600/s at 100k posts).
  // Partitions are 4 KiB blocks cached like data; the top-level index stays pinned.
  // Records (~350-byte values: a 64 MiB file holds ~200k keys) keep one-level ones, a cache
  // lookup cheaper per point get.
  if (small_keys) {
    t.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
    t.partition_filters = true;
    t.metadata_block_size = 4096;
    t.pin_top_level_index_and_filter = true;
  }
  t.format_version = 5;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  // ZSTD at every level for the CFs of small keys: LZ4's files were 1.3x larger right after
  // a load, when most data is still in L0/L1 (100k posts: 97 -> 79 MB on disk), at no
  // measured cost to reads; they are scanned and merged more than read one block at a time.
  // Records: LZ4 above the bottommost level, LZ4HC at it, with a dictionary. A point read
  // that misses the block cache decompresses a whole block, and with a dictionary Debian's
  // RocksDB (built without ZSTD's digested dictionaries) makes ZSTD rebuild its entropy tables
  // from the dictionary on every block: at 1M posts ZSTD's decompression was 52% of a uniform
  // get, 22% in that set-up alone. LZ4 has no entropy stage and HC spends the effort when
  // compressing. 1M posts, compacted, a uniform get on a warm OS cache: ZSTD 15.0 us, 193 MB;
  // LZ4HC 10.1 us, 224 MB; LZ4 9.4 us, 290 MB. HC only at the bottommost level, where nearly
  // all records settle: HC in flushes too cut the raw-RocksDB floor's 1M load from ~250k to
  // 55k records/s (flushes fell behind); plain LZ4 above it keeps flushes fast (204-380k/s),
  // the same files after settling.
  cf.compression = small_keys ? rocksdb::kZSTD : rocksdb::kLZ4Compression;
  cf.bottommost_compression = small_keys ? rocksdb::kZSTD : rocksdb::kLZ4HCCompression;
  if (!small_keys) {
    // A 4 KiB block holds ~10 records, too little for the compressor to find the field names
    // and values they share; a per-file 16 KiB dictionary trained on the file's blocks does
    // (ZSTD, 100k posts: 24.7 -> 19.3 MB). The CFs of small keys gained < 1% from one.
    cf.compression_opts.max_dict_bytes = 16 << 10;
    cf.compression_opts.zstd_max_train_bytes = 100 * (16 << 10);
    cf.bottommost_compression_opts = cf.compression_opts;
    cf.bottommost_compression_opts.enabled = true;
  }
  cf.level_compaction_dynamic_level_bytes = true;
  // Compact L0 at every flush (RocksDB's default waits for 4 files). A flush of indexes,
  // postings or statistics spans the whole key space, so these L0 files all overlap one
  // another and every read merges each of them: a 100k-post store settled after its load
  // kept 3 in `fts` and 2 each in `idx` and `stat`, and searches ran 20-50% slower than over
  // one sorted run. Records too: while L0 is their only level and holds at most 3 files,
  // RocksDB's point lookup does not check the files' key ranges, so a get probed every L0
  // file (a row-cache miss and a filter probe, ~190 ns of a ~1 us get at 100k posts, where
  // the load leaves 2 files of disjoint ids). The cost is write amplification: a 100k load
  // did not slow, a 1M load did by ~8% (docs/key-layout.md).
  cf.level0_file_num_compaction_trigger = 1;
  cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<InsertHintPrefix>();
  cf.write_buffer_size = 64 << 20;
  cf.max_write_buffer_number = 3;
  // Compact files that fill with tombstones (deleteMany), so later scans don't crawl.
  cf.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(16384, 8192, 0.3));
  if (merge) {
    cf.merge_operator = NewCounterMergeOperator();
    cf.max_successive_merges = 64;
  }
  return cf;
}

rocksdb::DBOptions MakeDbOptions() {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_background_jobs = 2;
  o.bytes_per_sync = 1 << 20;
  o.paranoid_checks = true;
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  o.keep_log_file_num = 4;
  // Bound memory and the WAL. Six column families x 3 x 64 MiB memtables could hold ~1.1 GiB;
  // past 256 MiB in all, the largest memtable is flushed. The rarely written meta CF would
  // otherwise pin every WAL file since its last flush (the WAL reached 2.5 GB in a 1M load):
  // past 512 MiB of WAL, the CFs holding the oldest log are flushed.
  o.db_write_buffer_size = 256 << 20;
  o.max_total_wal_size = 512 << 20;
  return o;
}

// ---- Rep ----

uint64_t Store::Rep::AllocateId(uint32_t model_id) {
  std::lock_guard<std::mutex> lock(ids_mu);
  return ++highest_id[model_id];
}

void Store::Rep::ObserveId(uint32_t model_id, uint64_t id) {
  std::lock_guard<std::mutex> lock(ids_mu);
  uint64_t& h = highest_id[model_id];
  if (id > h) h = id;
}

Status Store::Rep::PersistCatalog(const Catalog& cat) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db->Put(wo, cf(Cf::kMeta), kCatalogKey, cat.Serialize()), "writing the catalog");
}

void Store::Rep::SwapCatalog(Catalog next) {
  next.Derive();
  auto live = std::make_shared<const Catalog>(std::move(next));
  std::lock_guard<std::mutex> lock(catalog_mu);
  catalog = std::move(live);
}

Status Store::Rep::DeleteRange(Cf c, const std::string& begin, const std::string& end) {
  if (begin.size() > kMaxRangeDeleteBegin) {
    // A longer begin key would be inserted with a memtable hint (InsertHintPrefix).
    return Status(Code::kInternal, "delete range: a begin key longer than " +
                                       std::to_string(kMaxRangeDeleteBegin) + " bytes");
  }
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.DeleteRange(cf(c), begin, end);
  if (!s.ok()) return FromRocks(s, "delete range");
  rocksdb::TransactionDBWriteOptimizations opt;
  opt.skip_concurrency_control = true;
  return FromRocks(db->Write(write_options, opt, &batch), "delete range");
}

// ---- iterators ----

namespace {

class BoundedIterator : public KvIterator {
 public:
  BoundedIterator(std::unique_ptr<rocksdb::Iterator> it, std::string lower, std::string upper)
      : it_(std::move(it)), lower_(std::move(lower)), upper_(std::move(upper)) {}
  void Seek(std::string_view target) override {
    ++scanned_;
    if (target < lower_) target = lower_;
    it_->Seek(rocksdb::Slice(target.data(), target.size()));
  }
  void SeekForPrev(std::string_view target) override {
    ++scanned_;
    if (!upper_.empty() && target >= upper_) {
      SeekToLast();
      return;
    }
    it_->SeekForPrev(rocksdb::Slice(target.data(), target.size()));
  }
  void SeekToFirst() override {
    ++scanned_;
    it_->Seek(lower_);
  }
  void SeekToLast() override {
    ++scanned_;
    if (upper_.empty()) {
      it_->SeekToLast();
    } else {
      it_->SeekForPrev(upper_);
      if (it_->Valid() && it_->key().compare(upper_) >= 0) it_->Prev();
    }
  }
  bool Valid() const override {
    if (!it_->Valid()) return false;
    rocksdb::Slice k = it_->key();
    if (k.compare(lower_) < 0) return false;
    if (!upper_.empty() && k.compare(upper_) >= 0) return false;
    return true;
  }
  void Next() override {
    ++scanned_;
    it_->Next();
  }
  void Prev() override {
    ++scanned_;
    it_->Prev();
  }
  std::string_view key() const override { return {it_->key().data(), it_->key().size()}; }
  std::string_view value() const override { return {it_->value().data(), it_->value().size()}; }
  Status status() const override { return FromRocks(it_->status(), "iterator"); }
  uint64_t keys_scanned() const override { return scanned_; }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string lower_, upper_;
  uint64_t scanned_ = 0;
};

}  // namespace

std::unique_ptr<KvIterator> NewBoundedIterator(std::unique_ptr<rocksdb::Iterator> it,
                                               std::string lower, std::string upper) {
  return std::make_unique<BoundedIterator>(std::move(it), std::move(lower), std::move(upper));
}

// ---- snapshot read view ----

namespace {

class SnapshotView : public ReadView {
  struct CtrGet {
    SnapshotView* self;
    rocksdb::Status operator()(const std::string& k, std::string* v) const {
      return self->rep_->db->Get(self->ro_, self->rep_->cf(Cf::kCtr), k, v);
    }
  };
  CtrGet CtrGetter() { return CtrGet{this}; }

 public:
  // With `lazy` (NewSingleReadView), the snapshot is taken only by a read that needs more
  // than one RocksDB read; a plain Get or MultiGet is consistent by itself.
  SnapshotView(Store::Rep* rep, std::shared_ptr<const Catalog> cat, bool lazy)
      : rep_(rep), cat_(std::move(cat)) {
    if (!lazy) NeedSnapshot();
  }
  ~SnapshotView() override {
    if (snap_) rep_->db->ReleaseSnapshot(snap_);
  }
  const Catalog& catalog() const override { return *cat_; }

  Result<std::optional<RecordView>> GetRecord(const ModelInfo& model, uint64_t id) override {
    const std::vector<uint16_t>& counters = model.CounterFields();
    // The record and its pending counters must be read at one sequence number.
    if (!counters.empty()) NeedSnapshot();
    rocksdb::PinnableSlice v;
    rocksdb::Status s = rep_->db->Get(ro_, rep_->cf(Cf::kRec), keys::RecordKey(model.id, id), &v);
    if (s.IsNotFound()) return std::optional<RecordView>();
    if (!s.ok()) return FromRocks(s, "reading " + model.api_identifier + " " + std::to_string(id));
    ASSIGN_OR_RETURN(RecordView rv, RecordView::Parse(v.ToString(), id, model.api_identifier));
    RETURN_IF_ERROR(FoldCounters(model, counters, &rv, CtrGetter()));
    return std::optional<RecordView>(std::move(rv));
  }

  Status MultiGetRecords(const ModelInfo& model, const std::vector<uint64_t>& ids,
                         std::vector<std::optional<RecordView>>* out) override {
    out->assign(ids.size(), std::nullopt);
    if (ids.empty()) return Status::OK();
    const std::vector<uint16_t>& counters = model.CounterFields();
    if (!counters.empty()) NeedSnapshot();
    // (id, slot in `out`) by id: both read paths walk the ids in key order (record keys sort
    // as their ids).
    std::vector<std::pair<uint64_t, size_t>> order;
    order.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) order.emplace_back(ids[i], i);
    std::sort(order.begin(), order.end());
    const uint64_t lo = order.front().first, hi = order.back().first;
    // Dense ids (a page in an order that follows the ids, like createdAt) are read with one
    // iterator over their key range: Seek plus a Next per key costs a fraction of a point
    // lookup per key. Sparse ids would make the scan step over too many other records.
    if (ids.size() >= kMinScanBatch && hi - lo < kMaxScanSpread * ids.size() && hi < UINT64_MAX) {
      return ScanRecords(model, counters, order, out);
    }
    // Sorted already, so RocksDB skips its own sort of the keys through the comparator.
    std::vector<std::string> key_store;
    key_store.reserve(ids.size());
    for (const auto& [id, slot] : order) key_store.push_back(keys::RecordKey(model.id, id));
    std::vector<rocksdb::Slice> ks(key_store.begin(), key_store.end());
    std::vector<rocksdb::PinnableSlice> vals(ids.size());
    std::vector<rocksdb::Status> sts(ids.size());
    rep_->db->MultiGet(ro_, rep_->cf(Cf::kRec), ks.size(), ks.data(), vals.data(), sts.data(),
                       /*sorted_input=*/true);
    for (size_t i = 0; i < order.size(); ++i) {
      if (sts[i].IsNotFound()) continue;
      if (!sts[i].ok()) return FromRocks(sts[i], "reading " + model.api_identifier);
      ASSIGN_OR_RETURN(RecordView rv,
                       RecordView::Parse(vals[i].ToString(), order[i].first, model.api_identifier));
      RETURN_IF_ERROR(FoldCounters(model, counters, &rv, CtrGetter()));
      (*out)[order[i].second] = std::move(rv);
    }
    return Status::OK();
  }

  std::unique_ptr<KvIterator> NewIterator(Cf cf, std::string lower, std::string upper) override {
    NeedSnapshot();
    if (cf == Cf::kFts) {
      // Stored keys are segments: start at the segment holding `lower` (posting_segments.h).
      std::string stored_lower = SegmentLowerBound(lower);
      auto ro = std::make_unique<IterReadOptions>(ro_, stored_lower, upper);
      std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro->ro, rep_->cf(cf)));
      return std::make_unique<OwningIterator>(
          std::move(ro),
          NewSegmentIterator(NewBoundedIterator(std::move(it), std::move(stored_lower), upper),
                             std::move(lower), std::move(upper)));
    }
    auto ro = std::make_unique<IterReadOptions>(ro_, lower, upper);
    std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro->ro, rep_->cf(cf)));
    return std::make_unique<OwningIterator>(
        std::move(ro), NewBoundedIterator(std::move(it), std::move(lower), std::move(upper)));
  }

  std::shared_ptr<TermDictionary> term_dictionary(uint32_t model_id) override {
    return TermDictionaryFor(rep_, model_id);
  }

  Result<std::optional<std::string>> GetRaw(Cf cf, std::string_view key) override {
    NeedSnapshot();
    return ReadStored(cf, key, [&](const rocksdb::Slice& k, std::string* v) {
      return rep_->db->Get(ro_, rep_->cf(cf), k, v);
    });
  }

  Status MultiGetRaw(Cf cf, const std::vector<std::string>& keys,
                     std::vector<std::optional<std::string>>* out) override {
    if (cf == Cf::kFts) return ReadView::MultiGetRaw(cf, keys, out);  // postings: segments
    NeedSnapshot();
    out->assign(keys.size(), std::nullopt);
    if (keys.empty()) return Status::OK();
    std::vector<rocksdb::Slice> ks(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> vals(keys.size());
    std::vector<rocksdb::Status> sts(keys.size());
    rep_->db->MultiGet(ro_, rep_->cf(cf), ks.size(), ks.data(), vals.data(), sts.data());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (sts[i].IsNotFound()) continue;
      if (!sts[i].ok()) return FromRocks(sts[i], "read");
      (*out)[i] = vals[i].ToString();
    }
    return Status::OK();
  }

 private:
  // The bound slices must outlive the iterator.
  struct IterReadOptions {
    IterReadOptions(const rocksdb::ReadOptions& base, const std::string& lo, const std::string& hi)
        : lower(lo), upper(hi), ro(base) {
      lower_slice = rocksdb::Slice(lower);
      upper_slice = rocksdb::Slice(upper);
      ro.iterate_lower_bound = &lower_slice;
      if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
    }
    std::string lower, upper;
    rocksdb::Slice lower_slice, upper_slice;
    rocksdb::ReadOptions ro;
  };
  class OwningIterator : public KvIterator {
   public:
    OwningIterator(std::unique_ptr<IterReadOptions> ro, std::unique_ptr<KvIterator> it)
        : ro_(std::move(ro)), it_(std::move(it)) {}
    ~OwningIterator() override { it_.reset(); }
    void Seek(std::string_view t) override { it_->Seek(t); }
    void SeekForPrev(std::string_view t) override { it_->SeekForPrev(t); }
    void SeekToFirst() override { it_->SeekToFirst(); }
    void SeekToLast() override { it_->SeekToLast(); }
    bool Valid() const override { return it_->Valid(); }
    void Next() override { it_->Next(); }
    void Prev() override { it_->Prev(); }
    std::string_view key() const override { return it_->key(); }
    std::string_view value() const override { return it_->value(); }
    Status status() const override { return it_->status(); }
    uint64_t keys_scanned() const override { return it_->keys_scanned(); }

   private:
    std::unique_ptr<IterReadOptions> ro_;
    std::unique_ptr<KvIterator> it_;
  };

  static constexpr size_t kMinScanBatch = 8;
  static constexpr uint64_t kMaxScanSpread = 2;

  // MultiGetRecords by one scan of the record keys from the first to the last of `wanted`
  // ((id, slot in `out`), sorted by id, non-empty).
  Status ScanRecords(const ModelInfo& model, const std::vector<uint16_t>& counters,
                     const std::vector<std::pair<uint64_t, size_t>>& wanted,
                     std::vector<std::optional<RecordView>>* out) {
    const std::string lower = keys::RecordKey(model.id, wanted.front().first);
    const std::string upper = keys::RecordKey(model.id, wanted.back().first + 1);
    IterReadOptions ro(ro_, lower, upper);
    std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro.ro, rep_->cf(Cf::kRec)));
    size_t w = 0;
    for (it->Seek(lower); it->Valid() && w < wanted.size(); it->Next()) {
      uint32_t mid;
      uint64_t id;
      if (!keys::ParseRecordKey(std::string_view(it->key().data(), it->key().size()), &mid, &id)) {
        continue;
      }
      while (w < wanted.size() && wanted[w].first < id) ++w;  // absent ids stay nullopt
      if (w == wanted.size() || wanted[w].first != id) continue;
      ASSIGN_OR_RETURN(RecordView rv,
                       RecordView::Parse(it->value().ToString(), id, model.api_identifier));
      RETURN_IF_ERROR(FoldCounters(model, counters, &rv, CtrGetter()));
      size_t end = w + 1;
      while (end < wanted.size() && wanted[end].first == id) ++end;  // the id asked twice
      for (; w + 1 < end; ++w) (*out)[wanted[w].second] = rv;
      (*out)[wanted[w++].second] = std::move(rv);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading " + model.api_identifier);
    return Status::OK();
  }

  void NeedSnapshot() {
    if (snap_) return;
    snap_ = rep_->db->GetSnapshot();
    ro_.snapshot = snap_;
  }

  Store::Rep* rep_;
  std::shared_ptr<const Catalog> cat_;
  const rocksdb::Snapshot* snap_ = nullptr;
  rocksdb::ReadOptions ro_;
};

}  // namespace

// ---- Store ----

Store::Store(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

Store::~Store() {
  if (rep_ && rep_->db) {
    // A clean close flushes what the memtables hold. RocksDB (7.8, more so a TransactionDB)
    // releases the WAL files a recovery replayed only when a flush records a newer oldest
    // log: without this each open left one more WAL file behind, and every later open
    // replayed them all (the CLI, which opens the database per command, grew one per
    // command). A session that wrote nothing would have nothing to flush, so a deletion of
    // the never-present meta key "closed" gives the flush something to record. A failed
    // flush loses nothing: the WAL still holds the writes.
    rep_->db->Delete(rocksdb::WriteOptions(), rep_->cf(Cf::kMeta), kClosedKey)
        .PermitUncheckedError();
    std::vector<rocksdb::ColumnFamilyHandle*> open_cfs;
    for (auto* h : rep_->cfs) {
      if (h) open_cfs.push_back(h);
    }
    rocksdb::FlushOptions flush;
    flush.allow_write_stall = true;
    rep_->db->Flush(flush, open_cfs).PermitUncheckedError();
    for (auto* h : open_cfs) rep_->db->DestroyColumnFamilyHandle(h);
    rep_->cfs.clear();
    rep_->db.reset();
  }
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const Options& options) {
  auto rep = std::make_unique<Rep>();
  rep->dir = dir;
  rep->options = options;
  rep->write_options.sync = options.sync_mode == SyncMode::kSync;
  rep->work_pool = std::make_unique<WorkPool>(WorkPool::HelpersFor(options.write_helper_threads));

  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (!options.create_if_missing) {
      return Status(Code::kIoError, "database directory " + dir + " does not exist");
    }
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status(Code::kIoError, "cannot create " + dir + ": " + ec.message());
  }

  rep->block_cache = rocksdb::NewLRUCache(options.block_cache_bytes,
                                          BlockCacheShardBits(options.block_cache_bytes));
  rocksdb::DBOptions dbo = MakeDbOptions();
  // Its own LRU, not the block cache's: RocksDB 7.8 keys the two with different schemes in
  // one key space and types an entry by the lookup that finds it.
  if (options.row_cache_bytes > 0) {
    rep->row_cache = rocksdb::NewLRUCache(options.row_cache_bytes);
    dbo.row_cache = rep->row_cache;
  }
  dbo.create_if_missing = options.create_if_missing;
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (int i = 0; i < kNumCfs; ++i) {
    const Cf cf = static_cast<Cf>(i);
    descs.emplace_back(
        kCfNames[i],
        MakeCfOptions(rep->block_cache, cf == Cf::kCtr || cf == Cf::kStat, cf != Cf::kRec));
  }
  // No bloom filters in the search index's bottommost level, where nearly all of it lives:
  // its point reads (updates and deletes reading a record's doc entry and postings) mostly
  // find their key, where a filter cannot help, and posting scans never use one. One filter bit per
  // posting was 15% of the index (100k posts: fts 43.0 -> 35.2 MB compacted, 44.7 -> 38.0 MB after
  // load) and as much block cache; no workload measured slower without them.
  descs[static_cast<int>(Cf::kFts)].options.optimize_filters_for_hits = true;
  // Postings are segments written as merge operands (posting_segments.h). At most 64 operands
  // of one segment in a memtable, like `ctr`: a record rewritten over and over (its text
  // toggled, its date changing every second) would otherwise make every read of its segments
  // merge an ever longer chain until the next flush. Measured (bench/README.md, session 28):
  // without the limit, title edits ran ~15% faster (no memtable seek per operand to count the
  // chain), but after one record's title was toggled 40,000 times a search for one of its
  // words took 8.0 ms instead of 0.58 ms.
  descs[static_cast<int>(Cf::kFts)].options.merge_operator = NewPostingSegmentMergeOperator();
  descs[static_cast<int>(Cf::kFts)].options.max_successive_merges = 64;
  // Search statistics: ~27 merge operands per post in a bulk load, one per term a transaction
  // touches. `max_successive_merges` would cost each a memtable seek to count the key's
  // operands (15% of a load's instructions); without it a key's operands pile up until a flush
  // folds them into one (the operator is associative): at most the memtable's 64 MiB (the
  // default of MakeCfOptions), or less when the 512 MiB WAL cap flushes it first. An 8 MiB
  // memtable bounded that more tightly but left more files to search: every full-text class
  // at 100k ran 5-20% slower.
  descs[static_cast<int>(Cf::kStat)].options.max_successive_merges = 0;
  rocksdb::TransactionDBOptions tdbo;
  tdbo.transaction_lock_timeout = options.lock_timeout_ms;
  tdbo.default_lock_timeout = options.lock_timeout_ms;
  rocksdb::TransactionDB* raw = nullptr;
  rocksdb::Status s = rocksdb::TransactionDB::Open(dbo, tdbo, dir, descs, &rep->cfs, &raw);
  if (!s.ok()) {
    std::string m = s.ToString();
    if (s.IsIOError() && m.find("LOCK") != std::string::npos) {
      return Status(Code::kDatabaseLocked, "the database in " + dir +
                                               " is already open in another process (or another "
                                               "Database object in this one); close it first");
    }
    return FromRocks(s, "opening " + dir);
  }
  rep->db.reset(raw);

  // Catalog.
  std::string bytes;
  s = rep->db->Get(rocksdb::ReadOptions(), rep->cf(Cf::kMeta), kCatalogKey, &bytes);
  Catalog cat;
  if (s.ok()) {
    auto c = Catalog::Deserialize(bytes);
    if (!c.ok()) return c.status();
    cat = std::move(c).value();
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the catalog");
  }
  rep->SwapCatalog(cat);

  // Id high-water marks: the larger of the persisted mark and the last record key.
  for (const auto& m : cat.models) {
    uint64_t high = 0;
    std::string v;
    s = rep->db->Get(rocksdb::ReadOptions(), rep->cf(Cf::kCtr), keys::IdCounterKey(m.id), &v);
    if (s.ok()) high = DecodeU64LE(v);
    std::unique_ptr<rocksdb::Iterator> it(
        rep->db->NewIterator(rocksdb::ReadOptions(), rep->cf(Cf::kRec)));
    std::string upper = keys::PrefixSuccessor(keys::ModelPrefix(m.id));
    it->SeekForPrev(upper);
    if (it->Valid() && it->key().compare(upper) >= 0) it->Prev();
    uint32_t mid;
    uint64_t rid;
    if (it->Valid() && keys::ParseRecordKey({it->key().data(), it->key().size()}, &mid, &rid) &&
        mid == m.id) {
      high = std::max(high, rid);
    }
    rep->highest_id[m.id] = high;
  }

  std::unique_ptr<Store> store(new Store(std::move(rep)));

  // Finish index builds a crash interrupted.
  bool any_building = false;
  for (const auto& m : cat.models) {
    for (const auto& ix : m.indexes)
      any_building = any_building || ix.state == IndexState::kBuilding;
  }
  if (any_building) {
    Catalog next = cat;
    for (auto& m : next.models) {
      std::vector<IndexInfo> keep;
      for (auto& ix : m.indexes) {
        if (ix.state == IndexState::kBuilding) {
          Rep* r = store->rep_.get();
          std::string p = keys::IndexPrefix(ix.id);
          RETURN_IF_ERROR(r->DeleteRange(Cf::kIdx, p, keys::PrefixSuccessor(p)));
          Status bs = BuildIndex(r, m, ix, nullptr);
          if (!bs.ok()) {
            if (bs.code() != Code::kInvalidRecord) return bs;
            // The interrupted change added a unique rule the data violates: drop it again.
            RETURN_IF_ERROR(r->DeleteRange(Cf::kIdx, p, keys::PrefixSuccessor(p)));
            for (auto& f : m.fields) {
              if (ix.field_ids.size() == 1 && f.def.id == ix.field_ids[0])
                f.def.validations.unique = false;
            }
            continue;
          }
          ix.state = IndexState::kReady;
        }
        keep.push_back(ix);
      }
      m.indexes = std::move(keep);
    }
    next.version++;
    RETURN_IF_ERROR(store->rep_->PersistCatalog(next));
    store->rep_->SwapCatalog(std::move(next));
  }
  // Search indexes: rebuild those of another analyzer version or field set (an interrupted
  // rebuild, or a new ActionDB). Nothing else runs yet, so a wipe is safe here.
  {
    std::shared_ptr<const Catalog> now = store->rep_->GetCatalog();
    for (const auto& m : now->models) RETURN_IF_ERROR(EnsureSearchIndex(store->rep_.get(), m));
  }
  return store;
}

std::shared_ptr<const Catalog> Store::catalog() const { return rep_->GetCatalog(); }
const Options& Store::options() const { return rep_->options; }
const std::string& Store::dir() const { return rep_->dir; }

uint64_t Store::HighestId(uint32_t model_id) const {
  std::lock_guard<std::mutex> lock(rep_->ids_mu);
  auto it = rep_->highest_id.find(model_id);
  return it == rep_->highest_id.end() ? 0 : it->second;
}

std::unique_ptr<ReadView> Store::NewReadView() {
  return std::make_unique<SnapshotView>(rep_.get(), rep_->GetCatalog(), /*lazy=*/false);
}

std::unique_ptr<ReadView> Store::NewSingleReadView() {
  // A RocksDB snapshot costs two trips through the DB mutex, as much as a cached point Get;
  // one Get or MultiGet reads at one sequence number by itself.
  return std::make_unique<SnapshotView>(rep_.get(), rep_->GetCatalog(), /*lazy=*/true);
}

// ---- schema changes ----

Result<std::vector<uint64_t>> ListRecordIds(Store::Rep* rep, uint32_t model_id, uint64_t from_id,
                                            size_t limit) {
  const std::string upper = keys::PrefixSuccessor(keys::ModelPrefix(model_id));
  rocksdb::ReadOptions ro;
  rocksdb::Slice ub(upper);
  ro.iterate_upper_bound = &ub;
  std::unique_ptr<rocksdb::Iterator> it(rep->db->NewIterator(ro, rep->cf(Cf::kRec)));
  std::vector<uint64_t> ids;
  for (it->Seek(keys::RecordKey(model_id, from_id)); it->Valid() && ids.size() < limit;
       it->Next()) {
    uint32_t mid;
    uint64_t rid;
    if (keys::ParseRecordKey({it->key().data(), it->key().size()}, &mid, &rid)) ids.push_back(rid);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing records"));
  return ids;
}

Result<std::vector<uint64_t>> Store::RecordIds(uint32_t model_id, uint64_t from_id, size_t limit) {
  return ListRecordIds(rep_.get(), model_id, from_id, limit);
}

Status BuildIndex(Store::Rep* rep, const ModelInfo& model, const IndexInfo& index,
                  const std::function<void(const IndexBuildProgress&)>& progress) {
  const std::string lower = keys::ModelPrefix(model.id);
  const std::string upper = keys::PrefixSuccessor(lower);
  IndexBuildProgress prog;
  prog.index = index.name;
  {
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(rep->db->NewIterator(ro, rep->cf(Cf::kRec)));
    for (it->Seek(lower); it->Valid() && it->key().compare(upper) < 0; it->Next())
      prog.records_total++;
  }
  if (progress) progress(prog);

  std::vector<ValidationError> dups;
  constexpr size_t kBatch = 1000;
  for (uint64_t from = 0;;) {
    ASSIGN_OR_RETURN(std::vector<uint64_t> ids, ListRecordIds(rep, model.id, from, kBatch));
    if (ids.empty()) break;
    from = ids.back() + 1;
    rocksdb::TransactionOptions to;
    to.lock_timeout = rep->options.lock_timeout_ms;
    std::unique_ptr<rocksdb::Transaction> txn(rep->db->BeginTransaction(rep->write_options, to));
    SearchPending search_pending;
    for (uint64_t id : ids) {
      std::string v;
      rocksdb::Status s = txn->GetForUpdate(rocksdb::ReadOptions(), rep->cf(Cf::kRec),
                                            keys::RecordKey(model.id, id), &v);
      if (s.IsNotFound()) continue;  // deleted since we listed it
      RETURN_IF_ERROR(FromRocks(s, "building index " + index.name));
      ASSIGN_OR_RETURN(RecordView rv, RecordView::Parse(std::move(v), id, model.api_identifier));
      // A number field that was unindexed may have pending `_atomics` deltas: fold them into
      // the record now, so the index is built from (and stays with) the true value. No new
      // merges arrive for it: the catalog in force already lists this index.
      bool folded = false;
      StoredFields all = rv.All();
      for (uint16_t fid : index.field_ids) {
        const FieldInfo* f = model.FieldById(fid);
        if (!f || f->type() != FieldType::kNumber) continue;
        std::string ckey = keys::AtomicKey(model.id, id, fid), pending;
        s = txn->GetForUpdate(rocksdb::ReadOptions(), rep->cf(Cf::kCtr), ckey, &pending);
        if (s.IsNotFound()) continue;
        RETURN_IF_ERROR(FromRocks(s, "building index " + index.name));
        double delta = DecodeF64LE(pending);
        bool found = false;
        for (auto& [afid, av] : all) {
          if (afid != fid) continue;
          found = true;
          av = Value::Number((av.kind() == ValueKind::kNumber ? av.as_number() : 0) + delta);
        }
        if (!found) all.emplace_back(fid, Value::Number(delta));
        RETURN_IF_ERROR(FromRocks(txn->GetWriteBatch()->Delete(rep->cf(Cf::kCtr), ckey), "fold"));
        folded = true;
      }
      if (folded) {
        std::string bytes = EncodeRecord(std::move(all));
        RETURN_IF_ERROR(
            FromRocks(txn->Put(rep->cf(Cf::kRec), keys::RecordKey(model.id, id), bytes), "fold"));
        ASSIGN_OR_RETURN(RecordView folded_rv,
                         RecordView::Parse(std::move(bytes), id, model.api_identifier));
        // The field is searchable now that it has an index: keep its postings with the value.
        RETURN_IF_ERROR(
            IndexSearchChange(txn.get(), rep, model, id, &rv, &folded_rv, &search_pending));
        rv = std::move(folded_rv);
      }
      bool unique_form = false;
      std::string key = IndexKeyFor(index, IndexValues(index, rv), id, &unique_form);
      if (unique_form) {
        std::string existing;
        s = txn->GetForUpdate(rocksdb::ReadOptions(), rep->cf(Cf::kIdx), key, &existing);
        if (s.ok() && existing.size() == 8 && keys::GetBE64(existing.data()) != id) {
          const FieldInfo* f = model.FieldById(index.field_ids[0]);
          std::string shown = rv.Get(index.field_ids[0]).DebugString();
          if (dups.size() < 10) {
            dups.push_back(
                {f ? f->name() : "?", "has duplicate values: records " +
                                          std::to_string(keys::GetBE64(existing.data())) + " and " +
                                          std::to_string(id) + " both have " + shown});
          }
          continue;
        }
        if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "building index " + index.name);
        RETURN_IF_ERROR(FromRocks(txn->Put(rep->cf(Cf::kIdx), key,
                                           [&] {
                                             std::string idv;
                                             keys::PutBE64(&idv, id);
                                             return idv;
                                           }()),
                                  "building index"));
      } else {
        RETURN_IF_ERROR(
            FromRocks(txn->GetWriteBatch()->Put(rep->cf(Cf::kIdx), key, ""), "building index"));
      }
    }
    std::shared_lock<std::shared_mutex> dict_gate;  // held to the end of the commit
    RETURN_IF_ERROR(AppendSearchPending(txn.get(), rep, &search_pending, &dict_gate));
    RETURN_IF_ERROR(FromRocks(txn->Commit(), "building index " + index.name));
    prog.records_done += ids.size();
    if (progress) progress(prog);
  }
  if (!dups.empty()) return Status::InvalidRecord(model.api_identifier, std::move(dups));
  return Status::OK();
}

Result<SchemaDiff> Store::ApplySchema(const Schema& schema, const ApplySchemaOptions& options) {
  std::lock_guard<std::mutex> apply_lock(rep_->apply_mu);
  std::shared_ptr<const Catalog> cur = rep_->GetCatalog();
  ASSIGN_OR_RETURN(CatalogChange ch, PlanCatalogChange(*cur, schema));
  if (options.dry_run) return ch.diff;
  // The schema the database already has (an application applying its schema at every start):
  // nothing to write, and no catalog swap to make writers wait for.
  {
    Catalog same = ch.next;
    same.version = cur->version;
    if (same.Serialize() == cur->Serialize()) return ch.diff;
  }

  // 1. Install the new catalog with new indexes in the building state. From here on every
  //    write maintains them; the swap waits for in-flight transactions (schema_mu).
  {
    std::unique_lock<std::shared_mutex> lock(rep_->schema_mu);
    RETURN_IF_ERROR(rep_->PersistCatalog(ch.next));
    rep_->SwapCatalog(ch.next);
  }
  // 2. Backfill new indexes over existing records.
  Status build_status;
  for (uint32_t index_id : ch.new_index_ids) {
    for (const auto& m : ch.next.models) {
      const IndexInfo* ix = m.IndexById(index_id);
      if (!ix) continue;
      build_status = BuildIndex(rep_.get(), m, *ix, options.progress);
      break;
    }
    if (!build_status.ok()) break;
  }
  if (!build_status.ok()) {
    // 3a. Undo: the old catalog again (keeping the id counters moved forward, so ids handed
    //     out meanwhile are never reused), and the partial index entries removed.
    Catalog back = *cur;
    back.version = ch.next.version + 1;
    back.next_model_id = ch.next.next_model_id;
    back.next_field_id = ch.next.next_field_id;
    back.next_index_id = ch.next.next_index_id;
    {
      std::unique_lock<std::shared_mutex> lock(rep_->schema_mu);
      RETURN_IF_ERROR(rep_->PersistCatalog(back));
      rep_->SwapCatalog(std::move(back));
    }
    for (uint32_t index_id : ch.new_index_ids) {
      std::string p = keys::IndexPrefix(index_id);
      RETURN_IF_ERROR(rep_->DeleteRange(Cf::kIdx, p, keys::PrefixSuccessor(p)));
    }
    return build_status;
  }
  // 3b. Mark the new indexes ready.
  Catalog done = ch.next;
  done.version++;
  for (auto& m : done.models) {
    for (auto& ix : m.indexes) ix.state = IndexState::kReady;
  }
  {
    std::unique_lock<std::shared_mutex> lock(rep_->schema_mu);
    RETURN_IF_ERROR(rep_->PersistCatalog(done));
    rep_->SwapCatalog(done);  // a copy: step 3c reads `done` again
  }
  // 3c. Search indexes whose searchable fields changed (a field added, removed, or a number
  //     field gaining or losing its index) are re-indexed online, record by record: writers
  //     already index with the new fields, and each record's doc entry says which fields its
  //     postings came from, so the two never conflict. New models just get their meta.
  for (const auto& m : done.models) {
    auto meta = NewReadView()->GetRaw(Cf::kFts, keys::SearchMetaKey(m.id));
    if (!meta.ok()) return meta.status();
    if (*meta && **meta == SearchMetaValue(m)) continue;
    RETURN_IF_ERROR(RebuildSearchIndex(rep_.get(), m, /*wipe=*/false));
  }
  // 4. Remove what is gone: nothing reads or writes these ranges any more.
  for (uint32_t index_id : ch.dropped_index_ids) {
    std::string p = keys::IndexPrefix(index_id);
    RETURN_IF_ERROR(rep_->DeleteRange(Cf::kIdx, p, keys::PrefixSuccessor(p)));
  }
  for (uint32_t model_id : ch.dropped_model_ids) {
    std::string p = keys::ModelPrefix(model_id);
    RETURN_IF_ERROR(rep_->DeleteRange(Cf::kRec, p, keys::PrefixSuccessor(p)));
    std::string a = "A" + p;
    RETURN_IF_ERROR(rep_->DeleteRange(Cf::kCtr, a, keys::PrefixSuccessor(a)));
    RETURN_IF_ERROR(DeleteSearchIndex(rep_.get(), model_id));
  }
  return ch.diff;
}

// ---- conversion ----

Result<StoredFields> Store::ResolveInput(const ModelInfo& model, const FieldValues& values,
                                         std::optional<uint64_t>* explicit_id) const {
  StoredFields out;
  std::set<uint16_t> seen;
  for (const auto& [name, value] : values) {
    const FieldInfo* f = model.FindField(name);
    std::string what = model.api_identifier + "." + name;
    if (!f)
      return Status(Code::kUnknownField,
                    "unknown field \"" + name + "\" on model " + model.api_identifier);
    if (IsVirtual(f->type())) {
      return Status(Code::kInvalidArgument,
                    what + " is a relationship list; nested writes are not supported here");
    }
    if (!seen.insert(f->id()).second)
      return Status(Code::kInvalidArgument, what + " is given twice");
    if (f->type() == FieldType::kId) {
      if (value.kind() != ValueKind::kId) {
        return Status(Code::kInvalidArgument,
                      what + ": expected an id but got " + value.DebugString());
      }
      if (explicit_id) *explicit_id = value.as_id();
      continue;
    }
    Value v = value;
    // Accept a number or a string where an id is expected (ids arrive as both).
    if (f->kind == ValueKind::kId && v.kind() == ValueKind::kNumber) {
      double d = v.as_number();
      if (d >= 1 && d < 9.2e18 && d == static_cast<double>(static_cast<uint64_t>(d)))
        v = Value::Id(static_cast<uint64_t>(d));
    }
    if (!v.is_null() && v.kind() != f->kind) {
      return Status(Code::kInvalidArgument, what + ": expected " + ValueKindName(f->kind) +
                                                " but got " + ValueKindName(v.kind()) + " " +
                                                v.DebugString());
    }
    if (v.kind() == ValueKind::kString || v.kind() == ValueKind::kJson) {
      if (v.as_string().size() > (1u << 20)) {
        return Status(Code::kInvalidArgument, what + ": value of " +
                                                  std::to_string(v.as_string().size()) +
                                                  " bytes is over the 1 MiB limit");
      }
      if (!IsValidUtf8(v.as_string())) {
        return Status(Code::kInvalidArgument, what + ": value is not valid UTF-8");
      }
    }
    if (v.kind() == ValueKind::kNumber && !std::isfinite(v.as_number())) {
      return Status(Code::kInvalidArgument,
                    what + ": " + v.DebugString() + " is not a finite number");
    }
    if (f->type() == FieldType::kEnum && !v.is_null()) {
      std::vector<std::string> items =
          f->def.enum_multi ? v.as_list() : std::vector<std::string>{v.as_string()};
      for (const auto& item : items) {
        if (std::find(f->def.enum_options.begin(), f->def.enum_options.end(), item) ==
            f->def.enum_options.end()) {
          return Status::InvalidRecord(
              model.api_identifier, {{name, "\"" + item + "\" is not one of the allowed options"}});
        }
      }
    }
    if (f->type() == FieldType::kPassword && !v.is_null()) {
      ASSIGN_OR_RETURN(std::string hash,
                       HashPassword(v.as_string(), rep_->options.fast_password_hashing));
      v = Value::String(std::move(hash));
    }
    out.emplace_back(f->id(), std::move(v));
  }
  return out;
}

Status ReadView::MultiGetRaw(Cf cf, const std::vector<std::string>& keys,
                             std::vector<std::optional<std::string>>* out) {
  out->assign(keys.size(), std::nullopt);
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSIGN_OR_RETURN((*out)[i], GetRaw(cf, keys[i]));
  }
  return Status::OK();
}

Record Store::ToRecord(const ModelInfo& model, const RecordView& view) const {
  Record r;
  r.model = model.api_identifier;
  r.id = view.id();
  r.fields.reserve(model.record_field_ids.size());
  view.GetEach(model.record_field_ids, [&](size_t i, Value v) {
    r.fields.emplace_back(model.fields[model.record_field_pos[i]].name(), std::move(v));
  });
  return r;
}

// ---- maintenance ----

Status Store::Compact() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (int i = 0; i < kNumCfs; ++i) {
    RETURN_IF_ERROR(
        FromRocks(rep_->db->CompactRange(o, rep_->cfs[i], nullptr, nullptr), "compact"));
  }
  return Status::OK();
}

Status Store::Flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  RETURN_IF_ERROR(FromRocks(rep_->db->Flush(fo, rep_->cfs), "flush"));
  // A freshly flushed file keeps each key's sequence number (7 bytes that compress poorly:
  // 100k posts' search postings, ~6M keys, take 30% more space than once they are zeroed).
  // RocksDB rewrites the bottommost files that no snapshot needs with zeroed numbers, but it
  // only looks for them when a snapshot is released, which the next read does. Prompt that
  // now, so that "settled" is the state the next read leaves the files in anyway.
  rep_->db->ReleaseSnapshot(rep_->db->GetSnapshot());
  // RocksDB 7.8 has no WaitForCompact: poll until nothing is pending or running.
  for (;;) {
    uint64_t busy = 0;
    for (auto* cf : rep_->cfs) {
      uint64_t v = 0;
      if (rep_->db->GetIntProperty(cf, "rocksdb.compaction-pending", &v)) busy += v;
    }
    uint64_t v = 0;
    if (rep_->db->GetIntProperty("rocksdb.num-running-compactions", &v)) busy += v;
    if (rep_->db->GetIntProperty("rocksdb.num-running-flushes", &v)) busy += v;
    if (busy == 0) return Status::OK();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Status Store::CompactModel(const ModelInfo& model) {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  auto compact = [&](Cf c, const std::string& prefix) {
    std::string end = keys::PrefixSuccessor(prefix);
    rocksdb::Slice b(prefix), e(end);
    return FromRocks(rep_->db->CompactRange(o, rep_->cf(c), &b, &e),
                     "compact " + model.api_identifier);
  };
  RETURN_IF_ERROR(compact(Cf::kRec, keys::ModelPrefix(model.id)));
  for (const auto& ix : model.indexes) RETURN_IF_ERROR(compact(Cf::kIdx, keys::IndexPrefix(ix.id)));
  RETURN_IF_ERROR(compact(Cf::kFts, keys::SearchPostingModelPrefix(model.id)));
  RETURN_IF_ERROR(compact(Cf::kFts, keys::SearchDocPrefix(model.id)));
  RETURN_IF_ERROR(compact(Cf::kStat, keys::SearchStatsPrefix(model.id)));
  return compact(Cf::kCtr, "A" + keys::ModelPrefix(model.id));
}

Result<DatabaseStats> Store::Stats() {
  DatabaseStats st;
  auto cat = rep_->GetCatalog();
  auto view = NewReadView();
  for (const auto& m : cat->models) {
    ModelStats ms;
    ms.model = m.api_identifier;
    std::string p = keys::ModelPrefix(m.id);
    auto it = view->NewIterator(Cf::kRec, p, keys::PrefixSuccessor(p));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ms.record_count++;
    RETURN_IF_ERROR(it->status());
    ms.next_id = HighestId(m.id) + 1;
    for (const auto& ix : m.indexes) ms.indexes.push_back(ix.name);
    st.models.push_back(std::move(ms));
  }
  for (int i = 0; i < kNumCfs; ++i) {
    // Each property read once, as a number: the line for humans and the totals come from it.
    auto prop = [&](const char* name) {
      uint64_t v = 0;
      rep_->db->GetIntProperty(rep_->cfs[i], name, &v);
      return v;
    };
    uint64_t mem = prop("rocksdb.cur-size-all-mem-tables");
    // Where the files are: a store whose data still sits in overlapping L0 files reads and
    // stores differently from one compacted into the last level. "L0:2,L6:3", "" for no file.
    rocksdb::ColumnFamilyMetaData meta;
    rep_->db->GetColumnFamilyMetaData(rep_->cfs[i], &meta);
    std::string levels;
    for (const auto& level : meta.levels) {
      if (level.files.empty()) continue;
      levels += (levels.empty() ? "L" : ",L") + std::to_string(level.level) + ":" +
                std::to_string(level.files.size());
    }
    st.column_families.emplace_back(
        CfName(static_cast<Cf>(i)),
        "estimate-num-keys=" + std::to_string(prop("rocksdb.estimate-num-keys")) +
            " sst-bytes=" + std::to_string(prop("rocksdb.total-sst-files-size")) +
            " memtable-bytes=" + std::to_string(mem) + " files-per-level=" + levels);
    st.memtable_bytes += mem;
    st.table_reader_bytes += prop("rocksdb.estimate-table-readers-mem");
  }
  st.block_cache_bytes = rep_->block_cache->GetUsage();
  st.block_cache_pinned_bytes = rep_->block_cache->GetPinnedUsage();
  if (rep_->row_cache) st.row_cache_bytes = rep_->row_cache->GetUsage();
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(rep_->dir, ec)) {
    if (e.is_regular_file(ec)) st.disk_bytes += e.file_size(ec);
  }
  return st;
}

}  // namespace actiondb::engine
