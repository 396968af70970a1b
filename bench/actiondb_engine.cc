// The ActionDB engine of the workload driver: the "post" dataset through ActionDB's own C++
// API, as an application would use it — the internal API for writes (bulkCreate of 1,000 per
// transaction, `_atomics` increments, deleteMany by filter) and the query layer for reads
// (findMany with filter, sort and Relay cursors; get by id).
//
// Schema (the same indexes SQLite gets, plus what ActionDB always keeps):
//   post: title, body (strings, no index: SQLite indexes neither), published (boolean, no
//   index), score (number, indexed), author (belongsTo user, indexed), createdAt/updatedAt/state
//   (system fields, always indexed), and the composite (author, createdAt) index that ActionDB's
//   planner uses for "authorId = ? ORDER BY createdAt DESC". Full-text search covers every
//   searchable field (title, body, published, score, author, dates, state, id), as Gadget's does.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>

#include "actiondb/database.h"
#include "actiondb/internal_api.h"
#include "actiondb/query.h"
#include "bench/engine.h"

namespace actiondb::bench {
namespace {

constexpr const char* kSchema = R"({"models": {
  "user": {"fields": {"name": {"type": "string"}}},
  "post": {"fields": {
    "title": {"type": "string", "index": false},
    "body": {"type": "string", "index": false},
    "published": {"type": "boolean", "index": false},
    "score": {"type": "number"},
    "author": {"type": "belongsTo", "model": "user"}},
   "indexes": [{"fields": ["author", "createdAt"]}]}}})";

class ActionDbEngine : public Engine {
 public:
  explicit ActionDbEngine(const EngineConfig& config) : config_(config) {}

  std::string name() const override { return "actiondb"; }
  std::string description() const override {
    return "ActionDB (C++ API: internal API writes, query layer reads; " +
           RocksCacheSplit(config_).Describe() +
           "; WAL, no fsync per commit; write helper threads " +
           (config_.write_helper_threads < 0 ? std::string("by default")
                                             : std::to_string(config_.write_helper_threads)) +
           "; indexes on score, author, (author, createdAt), createdAt, updatedAt, state)";
  }
  bool Supports(Capability c) const override {
    switch (c) {
      case Capability::kPointGet:
      case Capability::kAuthorPage:
      case Capability::kFeedPage:
      case Capability::kScoreRange:
      case Capability::kIncrement:
      case Capability::kDeleteMany:
      case Capability::kCompact:
      case Capability::kFullText:
      case Capability::kTypoTolerance:
      case Capability::kEditText:
        return true;
      default:
        return false;  // no OFFSET paging in Gadget's API
    }
  }

  Status Open(const std::string& dir) override {
    dir_ = dir;
    Options o;
    const RocksCacheSplit cache(config_);
    o.block_cache_bytes = cache.block_bytes;
    o.row_cache_bytes = cache.row_bytes;
    o.lock_timeout_ms = 10000;  // the 2-thread hot-record increments queue on one record lock
    o.write_helper_threads = config_.write_helper_threads;
    ASSIGN_OR_RETURN(db_, Database::Open(dir, o));
    ASSIGN_OR_RETURN(Schema schema, ParseSchemaJson(kSchema));
    RETURN_IF_ERROR(db_->ApplySchema(schema).status());
    return Status::OK();
  }

  Status Close() override {
    db_.reset();
    return Status::OK();
  }

  Status BulkLoad(std::span<const Post> posts) override {
    constexpr size_t kBatch = 1000;
    auto api = InternalApi(*db_).model("post");
    std::vector<WriteInput> inputs;
    for (size_t start = 0; start < posts.size(); start += kBatch) {
      size_t end = std::min(posts.size(), start + kBatch);
      inputs.clear();
      inputs.reserve(end - start);
      for (size_t i = start; i < end; ++i) {
        const Post& p = posts[i];
        WriteInput in;
        in.values = {{"id", Value::Id(p.id)},
                     {"title", Value::String(p.title)},
                     {"body", Value::String(p.body)},
                     {"published", Value::Bool(p.published)},
                     {"score", Value::Number(static_cast<double>(p.score))},
                     {"author", Value::Id(p.author_id)},
                     {"createdAt", Value::DateTime(p.created_at_ms)},
                     {"updatedAt", Value::DateTime(p.created_at_ms)}};
        inputs.push_back(std::move(in));
      }
      RETURN_IF_ERROR(api.BulkCreate(inputs).status());
    }
    return Status::OK();
  }

  // One value of a column family's "key=value key=value" line (Database::Stats).
  static std::optional<std::string> Property(const std::string& props, const std::string& key) {
    size_t at = props.find(key + "=");
    if (at == std::string::npos) return std::nullopt;
    at += key.size() + 1;
    return props.substr(at, props.find(' ', at) - at);
  }

  Status Settle() override { return db_->Flush(); }
  Result<uint64_t> DiskBytes() override { return DirectoryBytes(dir_); }
  // SST bytes per column family (Database::Stats), then the rest (WAL, logs, manifest).
  std::string DiskBreakdown() override {
    Result<DatabaseStats> st = db_->Stats();
    if (!st.ok()) return "";
    std::string out;
    uint64_t sst_total = 0;
    for (const auto& [cf, props] : st->column_families) {
      std::optional<std::string> sst = Property(props, "sst-bytes");
      if (!sst) continue;
      uint64_t bytes = std::strtoull(sst->c_str(), nullptr, 10);
      sst_total += bytes;
      out += (out.empty() ? "" : ", ") + cf + " " + FormatMb(bytes);
      // The files per level ("L0:2,L6:3"): data still in L0 is larger and slower to read.
      std::optional<std::string> levels = Property(props, "files-per-level");
      if (bytes > 0 && levels && !levels->empty()) out += " (" + *levels + ")";
    }
    if (st->disk_bytes >= sst_total) out += ", other files " + FormatMb(st->disk_bytes - sst_total);
    return out;
  }
  std::string MemoryBreakdown() override {
    Result<DatabaseStats> st = db_->Stats();
    if (!st.ok()) return "";
    return "block cache " + FormatMb(st->block_cache_bytes) + " (pinned " +
           FormatMb(st->block_cache_pinned_bytes) + "), row cache " +
           FormatMb(st->row_cache_bytes) + ", memtables " + FormatMb(st->memtable_bytes) +
           ", table readers " + FormatMb(st->table_reader_bytes);
  }

  Result<uint64_t> PointGet(uint64_t id) override {
    ASSIGN_OR_RETURN(Record r, db_->Get("post", id));
    return ToRow(r).checksum;
  }

  Result<Page> AuthorPage(uint64_t author_id, int page_size, const std::string& after) override {
    FindRequest req;
    req.filter = "{\"authorId\": {\"equals\": \"" + std::to_string(author_id) + "\"}}";
    req.sort = R"({"createdAt": "Descending"})";
    req.first = page_size;
    req.after = after;
    return Run(req);
  }

  Result<Page> FeedPage(int page_size, const std::string& after) override {
    FindRequest req;
    req.sort = R"({"createdAt": "Descending"})";
    req.first = page_size;
    req.after = after;
    return Run(req);
  }

  Result<Page> ScoreRangePage(int64_t lo, int64_t hi, int page_size) override {
    FindRequest req;
    req.filter = "{\"score\": {\"greaterThanOrEqual\": " + std::to_string(lo) +
                 ", \"lessThanOrEqual\": " + std::to_string(hi) + "}}";
    req.sort = R"({"score": "Ascending"})";
    req.first = page_size;
    return Run(req);
  }

  // Gadget search: every query word must match (typo-tolerant, last word also as a prefix),
  // ranked by BM25 over title and body.
  Result<std::vector<Row>> FullText(const std::string& query, int limit) override {
    FindRequest req;
    req.search = query;
    req.first = limit;
    ASSIGN_OR_RETURN(Page page, Run(req));
    return std::move(page.rows);
  }

  Status PrepareWorkers(int) override {
    ASSIGN_OR_RETURN(increment_, ParseWriteInputJson(
                                     *db_, "post", R"({"_atomics": {"score": {"increment": 1}}})"));
    return Status::OK();
  }
  Status Increment(int, uint64_t id) override {
    return InternalApi(*db_).model("post").Update(id, increment_).status();
  }
  Result<int64_t> ReadCounter(uint64_t id) override {
    ASSIGN_OR_RETURN(Record r, db_->Get("post", id));
    return static_cast<int64_t>(std::llround(r.Get("score")->as_number()));
  }

  // The internal API's update with the title only: updatedAt is set by the store, the postings
  // of the words the title lost (those the body does not also hold) and gained are rewritten.
  Status EditTitle(uint64_t id, std::string_view title) override {
    WriteInput in;
    in.values = {{"title", Value::String(std::string(title))}};
    return InternalApi(*db_).model("post").Update(id, in).status();
  }
  Result<std::string> ReadTitle(uint64_t id) override {
    ASSIGN_OR_RETURN(Record r, db_->Get("post", id));
    const Value* title = r.Get("title");
    if (title == nullptr || title->kind() != ValueKind::kString) {
      return Status(Code::kInvalidStoredData, "post " + std::to_string(id) + " has no title");
    }
    return title->as_string();
  }
  Status CheckConsistency() override {
    ASSIGN_OR_RETURN(CheckReport report, db_->Check());
    if (report.ok()) return Status::OK();
    return Status(Code::kInvalidStoredData,
                  std::to_string(report.discrepancies.size()) +
                      " discrepancies, the first: " + report.discrepancies.front());
  }

  Result<uint64_t> DeleteMany(const DeleteFilter& f) override {
    return InternalApi(*db_).model("post").DeleteMany(
        "{\"score\": {\"lessThan\": " + std::to_string(f.score_below) + "}}");
  }

  Status Compact() override { return db_->Compact(); }

 private:
  Result<Page> Run(const FindRequest& req) {
    ASSIGN_OR_RETURN(Connection c, Query(*db_).FindMany("post", req));
    Page page;
    page.rows.reserve(c.edges.size());
    for (const Edge& e : c.edges) page.rows.push_back(ToRow(e.node.record));
    if (c.page_info.end_cursor) page.end_cursor = *c.page_info.end_cursor;
    return page;
  }

  static Row ToRow(const Record& r) {
    Row row;
    row.id = r.id;
    auto get = [&](const char* f) -> const Value& {
      static const Value kNull;
      const Value* v = r.Get(f);
      return v ? *v : kNull;
    };
    row.author_id = get("author").is_null() ? 0 : get("author").as_id();
    row.created_at_ms = get("createdAt").as_datetime();
    row.score = static_cast<int64_t>(std::llround(get("score").as_number()));
    row.checksum = RowChecksum(r.id, get("title").as_string(), get("body").as_string(),
                               get("published").as_bool(), row.score, row.author_id,
                               row.created_at_ms, get("updatedAt").as_datetime());
    return row;
  }

  EngineConfig config_;
  std::string dir_;
  std::unique_ptr<Database> db_;
  WriteInput increment_;
};

}  // namespace

ADB_BENCH_REGISTER_ENGINE("actiondb", [](const EngineConfig& c) -> std::unique_ptr<Engine> {
  return std::make_unique<ActionDbEngine>(c);
});

}  // namespace actiondb::bench
