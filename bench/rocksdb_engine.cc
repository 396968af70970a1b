// The raw-RocksDB floor engine (see rocksdb_engine.h for the key and value layout).
#include "bench/rocksdb_engine.h"

#include "engine/rocks_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace actiondb::bench {
namespace {

constexpr char kPostPrefix = 'p';
constexpr char kCounterPrefix = 'c';

void PutFixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out->append(buf, 8);
}

void PutVarint64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i)
    r |= static_cast<uint64_t>(static_cast<unsigned char>((*in)[i])) << (8 * i);
  *v = r;
  in->remove_prefix(8);
  return true;
}

bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    r |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = r;
      return true;
    }
  }
  return false;
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* s) {
  uint64_t len = 0;
  if (!GetVarint64(in, &len) || in->size() < len) return false;
  *s = in->substr(0, len);
  in->remove_prefix(len);
  return true;
}

// Decodes a stored value into a Row without copying the text (every field is read).
bool DecodeRow(std::string_view value, Row* row) {
  uint64_t id, created, updated, score, author;
  std::string_view title, body;
  if (!GetFixed64(&value, &id) || !GetFixed64(&value, &created) || !GetFixed64(&value, &updated) ||
      !GetFixed64(&value, &score) || !GetVarint64(&value, &author) || value.empty()) {
    return false;
  }
  bool published = value.front() != 0;
  value.remove_prefix(1);
  if (!GetLengthPrefixed(&value, &title) || !GetLengthPrefixed(&value, &body)) return false;
  row->id = id;
  row->author_id = author;
  row->created_at_ms = static_cast<int64_t>(created);
  row->score = static_cast<int64_t>(score);
  row->checksum = RowChecksum(id, title, body, published, row->score, author, row->created_at_ms,
                              static_cast<int64_t>(updated));
  return true;
}

std::string PrefixedKey(char prefix, uint64_t id) {
  std::string key(9, '\0');
  key[0] = prefix;
  for (int i = 0; i < 8; ++i) key[1 + i] = static_cast<char>(id >> (8 * (7 - i)));
  return key;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status(Code::kRecordNotFound, what);
  return Status(Code::kIoError, what + ": " + s.ToString());
}

class RocksDbEngine final : public Engine {
 public:
  explicit RocksDbEngine(const EngineConfig& config) : config_(config) {}
  ~RocksDbEngine() override { (void)Close(); }

  std::string name() const override { return "rocksdb"; }
  std::string description() const override {
    return "raw RocksDB " + std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) +
           "." + std::to_string(ROCKSDB_PATCH) +
           " (records only; ActionDbLikeOptions: the record CF's LZ4/LZ4HC with a 16 KiB "
           "dictionary, bloom 10, 4 KiB blocks, " +
           RocksCacheSplit(config_).Describe() + "; WAL, sync=false)";
  }
  bool Supports(Capability capability) const override {
    switch (capability) {
      case Capability::kPointGet:
      case Capability::kFeedPage:
      case Capability::kFeedOffset:
      case Capability::kIncrement:
      case Capability::kEditText:
      case Capability::kDeleteMany:
      case Capability::kCompact:
        return true;
      default:
        return false;
    }
  }

  Status Open(const std::string& dir) override {
    dir_ = dir;
    rocksdb::Options options = ActionDbLikeOptions(config_);
    rocksdb::ConfigOptions config_options;
    RETURN_IF_ERROR(FromRocks(rocksdb::MergeOperator::CreateFromString(config_options, "uint64add",
                                                                       &options.merge_operator),
                              "uint64add merge operator"));
    rocksdb::DB* db = nullptr;
    RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, dir, &db), "open " + dir));
    db_.reset(db);
    return Status::OK();
  }

  Status Close() override {
    if (db_ == nullptr) return Status::OK();
    rocksdb::Status s = db_->Close();
    db_.reset();
    return FromRocks(s, "close");
  }

  Status BulkLoad(std::span<const Post> posts) override {
    constexpr size_t kBatch = 1000;
    std::string value;
    for (size_t start = 0; start < posts.size(); start += kBatch) {
      rocksdb::WriteBatch batch;
      size_t end = std::min(posts.size(), start + kBatch);
      for (size_t i = start; i < end; ++i) {
        value = EncodePostValue(posts[i]);
        RETURN_IF_ERROR(FromRocks(batch.Put(PostKey(posts[i].id), value), "batch put"));
      }
      RETURN_IF_ERROR(FromRocks(db_->Write(write_options_, &batch), "write"));
    }
    return Status::OK();
  }

  Status Settle() override {
    RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions()), "flush"));
    // As ActionDB's Flush: a snapshot release lets RocksDB rewrite the new bottommost files
    // with zeroed sequence numbers (the next read would), so both settle the same way.
    db_->ReleaseSnapshot(db_->GetSnapshot());
    // RocksDB 7.8 has no WaitForCompact: poll until nothing is pending or running.
    for (;;) {
      uint64_t pending = 0, running = 0, flushes = 0;
      db_->GetIntProperty("rocksdb.compaction-pending", &pending);
      db_->GetIntProperty("rocksdb.num-running-compactions", &running);
      db_->GetIntProperty("rocksdb.num-running-flushes", &flushes);
      if (pending == 0 && running == 0 && flushes == 0) return Status::OK();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  Result<uint64_t> DiskBytes() override { return DirectoryBytes(dir_); }

  Result<uint64_t> PointGet(uint64_t id) override {
    rocksdb::PinnableSlice value;
    RETURN_IF_ERROR(GetPostValue(id, &value));
    Row row;
    if (!DecodeRow(std::string_view(value.data(), value.size()), &row)) {
      return Status(Code::kInvalidStoredData, "post " + std::to_string(id));
    }
    return row.checksum;
  }

  Result<Page> FeedPage(int page_size, const std::string& after_cursor) override {
    auto it = NewPostIterator();
    if (after_cursor.empty()) {
      it->SeekToLast();
    } else {
      // The cursor is the id of the last row returned; the next row has the next lower id.
      it->SeekForPrev(after_cursor);
      if (it->Valid() && it->key() == rocksdb::Slice(after_cursor)) it->Prev();
    }
    return ReadBackward(it.get(), page_size);
  }

  Result<Page> FeedPageAtOffset(int page_size, uint64_t offset) override {
    auto it = NewPostIterator();
    it->SeekToLast();
    for (uint64_t k = 0; k < offset && it->Valid(); ++k) it->Prev();
    return ReadBackward(it.get(), page_size);
  }

  Status GetPostValue(uint64_t id, rocksdb::PinnableSlice* value) {
    return FromRocks(
        db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), PostKey(id), value),
        "post " + std::to_string(id));
  }

  // Post `id` decoded (title and body copied): for the edit's read-modify-write.
  Result<Post> ReadPost(uint64_t id) {
    rocksdb::PinnableSlice value;
    RETURN_IF_ERROR(GetPostValue(id, &value));
    Post post;
    if (!DecodePostValue(std::string_view(value.data(), value.size()), &post)) {
      return Status(Code::kInvalidStoredData, "post " + std::to_string(id));
    }
    return post;
  }

  Status PrepareWorkers(int /*workers*/) override { return Status::OK(); }

  Status Increment(int /*worker*/, uint64_t id) override {
    char one[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    return FromRocks(db_->Merge(write_options_, db_->DefaultColumnFamily(),
                                PrefixedKey(kCounterPrefix, id), rocksdb::Slice(one, 8)),
                     "merge");
  }

  Result<int64_t> ReadCounter(uint64_t id) override {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(),
                                 PrefixedKey(kCounterPrefix, id), &value);
    if (s.IsNotFound()) return int64_t{0};
    RETURN_IF_ERROR(FromRocks(s, "counter"));
    std::string_view v(value.data(), value.size());
    uint64_t n = 0;
    if (!GetFixed64(&v, &n)) return Status(Code::kInvalidStoredData, "counter");
    return static_cast<int64_t>(n);
  }

  // The floor of an edit: read the record, rewrite it with the new title (no index, no
  // postings to maintain).
  Status EditTitle(uint64_t id, std::string_view title) override {
    ASSIGN_OR_RETURN(Post post, ReadPost(id));
    post.title.assign(title);
    return FromRocks(db_->Put(write_options_, PostKey(id), EncodePostValue(post, WallClockMs())),
                     "put");
  }
  Result<std::string> ReadTitle(uint64_t id) override {
    ASSIGN_OR_RETURN(Post post, ReadPost(id));
    return std::move(post.title);
  }

  Result<uint64_t> DeleteMany(const DeleteFilter& filter) override {
    // No index: scan every record, decode its score, delete in batches of 1,000.
    auto it = NewPostIterator();
    rocksdb::WriteBatch batch;
    uint64_t deleted = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      Row row;
      if (!DecodeRow(std::string_view(it->value().data(), it->value().size()), &row)) {
        return Status(Code::kInvalidStoredData, "record during deleteMany");
      }
      if (row.score >= filter.score_below) continue;
      RETURN_IF_ERROR(FromRocks(batch.Delete(it->key()), "batch delete"));
      if (++deleted % 1000 == 0) {
        RETURN_IF_ERROR(FromRocks(db_->Write(write_options_, &batch), "write"));
        batch.Clear();
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "iterate"));
    RETURN_IF_ERROR(FromRocks(db_->Write(write_options_, &batch), "write"));
    return deleted;
  }

  Status Compact() override {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    return FromRocks(db_->CompactRange(options, nullptr, nullptr), "compact");
  }

 private:
  std::unique_ptr<rocksdb::Iterator> NewPostIterator() {
    rocksdb::ReadOptions options;
    options.iterate_lower_bound = &lower_;
    options.iterate_upper_bound = &upper_;
    return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(options));
  }

  Result<Page> ReadBackward(rocksdb::Iterator* it, int page_size) {
    Page page;
    for (; it->Valid() && static_cast<int>(page.rows.size()) < page_size; it->Prev()) {
      Row row;
      if (!DecodeRow(std::string_view(it->value().data(), it->value().size()), &row)) {
        return Status(Code::kInvalidStoredData, "record in feed page");
      }
      page.rows.push_back(row);
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "iterate"));
    if (!page.rows.empty()) page.end_cursor = PostKey(page.rows.back().id);
    return page;
  }

  EngineConfig config_;
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;  // WAL on, sync=false
  const std::string lower_bytes_ = std::string(1, kPostPrefix);
  const std::string upper_bytes_ = std::string(1, static_cast<char>(kPostPrefix + 1));
  rocksdb::Slice lower_{lower_bytes_};
  rocksdb::Slice upper_{upper_bytes_};
};

}  // namespace

rocksdb::Options ActionDbLikeOptions(const EngineConfig& config) {
  // Exactly the options ActionDB opens its column families with (engine/rocks_options.h),
  // minus its merge operator (the floor adds uint64add).
  const RocksCacheSplit split(config);
  auto cache =
      rocksdb::NewLRUCache(split.block_bytes, engine::BlockCacheShardBits(split.block_bytes));
  rocksdb::Options options(engine::MakeDbOptions(), engine::MakeCfOptions(cache, false, false));
  if (split.row_bytes > 0) options.row_cache = rocksdb::NewLRUCache(split.row_bytes);
  options.create_if_missing = true;
  return options;
}

std::string PostKey(uint64_t id) { return PrefixedKey(kPostPrefix, id); }

std::string EncodePostValue(const Post& post, int64_t updated_at_ms) {
  std::string v;
  v.reserve(48 + post.title.size() + post.body.size());
  PutFixed64(&v, post.id);
  PutFixed64(&v, static_cast<uint64_t>(post.created_at_ms));
  PutFixed64(&v, static_cast<uint64_t>(updated_at_ms < 0 ? post.created_at_ms : updated_at_ms));
  PutFixed64(&v, static_cast<uint64_t>(post.score));
  PutVarint64(&v, post.author_id);
  v.push_back(post.published ? 1 : 0);
  PutVarint64(&v, post.title.size());
  v.append(post.title);
  PutVarint64(&v, post.body.size());
  v.append(post.body);
  return v;
}

bool DecodePostValue(std::string_view value, Post* post) {
  uint64_t id, created, updated, score, author;
  std::string_view title, body;
  if (!GetFixed64(&value, &id) || !GetFixed64(&value, &created) || !GetFixed64(&value, &updated) ||
      !GetFixed64(&value, &score) || !GetVarint64(&value, &author) || value.empty()) {
    return false;
  }
  post->published = value.front() != 0;
  value.remove_prefix(1);
  if (!GetLengthPrefixed(&value, &title) || !GetLengthPrefixed(&value, &body) || !value.empty()) {
    return false;
  }
  post->id = id;
  post->created_at_ms = static_cast<int64_t>(created);
  post->score = static_cast<int64_t>(score);
  post->author_id = author;
  post->title.assign(title);
  post->body.assign(body);
  return true;
}

std::unique_ptr<Engine> NewRocksDbEngine(const EngineConfig& config) {
  return std::make_unique<RocksDbEngine>(config);
}

ADB_BENCH_REGISTER_ENGINE("rocksdb", NewRocksDbEngine);

}  // namespace actiondb::bench
