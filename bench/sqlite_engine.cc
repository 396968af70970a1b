// The SQLite anchor engine (see sqlite_engine.h).
//
// Schema:
//   post(id INTEGER PRIMARY KEY, title, body, published, score, authorId, createdAt, updatedAt)
//   post_authorId(authorId), post_createdAt(createdAt), post_score(score)
//   [variant] post_author_created(authorId, createdAt)
//   post_fts USING fts5(title, body, content='post', content_rowid='id')  -- unicode61, bm25
//
// Cursors are "createdAt:id" of the last row; the next page is the row-value keyset
// `(createdAt, id) < (?, ?)`. Every query returns all 8 columns and every column is read.
#include "bench/sqlite_engine.h"

#include <sqlite3.h>

#include <charconv>
#include <cstdio>
#include <vector>

namespace actiondb::bench {
namespace {

constexpr const char* kSelectColumns =
    "id, title, body, published, score, authorId, createdAt, updatedAt";

Status SqliteError(sqlite3* db, const std::string& what) {
  return Status(Code::kIoError, what + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
}

// A prepared statement, reset after each use.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Status Prepare(sqlite3* db, const std::string& sql) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK) {
      return SqliteError(db, "prepare \"" + sql + "\"");
    }
    return Status::OK();
  }
  sqlite3_stmt* get() const { return stmt_; }
  void Finalize() {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement on scope exit so it holds no read transaction open.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

std::string_view ColumnText(sqlite3_stmt* stmt, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  return text ? std::string_view(text, sqlite3_column_bytes(stmt, col)) : std::string_view();
}

// Reads every column of a row selected with kSelectColumns starting at column `first`.
Row ReadRow(sqlite3_stmt* stmt, int first = 0) {
  Row row;
  row.id = static_cast<uint64_t>(sqlite3_column_int64(stmt, first + 0));
  std::string_view title = ColumnText(stmt, first + 1);
  std::string_view body = ColumnText(stmt, first + 2);
  bool published = sqlite3_column_int(stmt, first + 3) != 0;
  row.score = sqlite3_column_int64(stmt, first + 4);
  row.author_id = static_cast<uint64_t>(sqlite3_column_int64(stmt, first + 5));
  row.created_at_ms = sqlite3_column_int64(stmt, first + 6);
  int64_t updated_at = sqlite3_column_int64(stmt, first + 7);
  row.checksum = RowChecksum(row.id, title, body, published, row.score, row.author_id,
                             row.created_at_ms, updated_at);
  return row;
}

std::string EncodeCursor(const Row& row) {
  return std::to_string(row.created_at_ms) + ":" + std::to_string(row.id);
}

Status DecodeCursor(const std::string& cursor, int64_t* created_at, int64_t* id) {
  size_t colon = cursor.find(':');
  if (colon == std::string::npos) return Status(Code::kInvalidCursor, "bad cursor " + cursor);
  auto r1 = std::from_chars(cursor.data(), cursor.data() + colon, *created_at);
  auto r2 = std::from_chars(cursor.data() + colon + 1, cursor.data() + cursor.size(), *id);
  if (r1.ec != std::errc() || r2.ec != std::errc()) {
    return Status(Code::kInvalidCursor, "bad cursor " + cursor);
  }
  return Status::OK();
}

sqlite3* OpenConnection(const std::string& path, size_t cache_bytes, Status* status) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    *status = SqliteError(db, "open " + path);
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 10000);
  std::string pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-" +
                        std::to_string(cache_bytes / 1024) + ";";
  if (sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    *status = SqliteError(db, "pragmas");
    sqlite3_close(db);
    return nullptr;
  }
  *status = Status::OK();
  return db;
}

class SqliteEngine final : public Engine {
 public:
  explicit SqliteEngine(const EngineConfig& config) : config_(config) {}
  ~SqliteEngine() override { (void)Close(); }

  std::string name() const override { return "sqlite"; }
  std::string description() const override {
    return std::string("SQLite ") + sqlite3_libversion() +
           ": WAL, synchronous=NORMAL, cache_size=" + std::to_string(config_.cache_bytes >> 20) +
           " MiB, indexes on authorId, createdAt, score; FTS5 external content (bm25)";
  }
  bool Supports(Capability capability) const override {
    return capability != Capability::kTypoTolerance;
  }

  Status Open(const std::string& dir) override {
    dir_ = dir;
    path_ = dir + "/post.db";
    Status s;
    db_ = OpenConnection(path_, config_.cache_bytes, &s);
    if (db_ == nullptr) return s;
    RETURN_IF_ERROR(
        Exec("CREATE TABLE post(id INTEGER PRIMARY KEY, title TEXT, body TEXT, published INTEGER,"
             " score INTEGER, authorId INTEGER, createdAt INTEGER, updatedAt INTEGER);"
             "CREATE INDEX post_authorId ON post(authorId);"
             "CREATE INDEX post_createdAt ON post(createdAt);"
             "CREATE INDEX post_score ON post(score);"
             "CREATE VIRTUAL TABLE post_fts USING fts5(title, body, content='post',"
             " content_rowid='id');"));
    return PrepareStatements();
  }

  Status Close() override {
    worker_stmts_.clear();
    for (sqlite3* w : workers_) sqlite3_close(w);
    workers_.clear();
    for (Statement* s :
         {&insert_, &insert_fts_, &get_, &author_first_, &author_next_, &feed_first_, &feed_next_,
          &feed_offset_, &score_range_, &full_text_, &read_counter_, &begin_, &commit_, &rollback_,
          &fts_delete_, &update_title_, &fts_insert_, &read_title_}) {
      s->Finalize();
    }
    if (db_ != nullptr) {
      int rc = sqlite3_close(db_);
      db_ = nullptr;
      if (rc != SQLITE_OK) return Status(Code::kIoError, "sqlite3_close failed");
    }
    return Status::OK();
  }

  Status BulkLoad(std::span<const Post> posts) override {
    constexpr size_t kBatch = 1000;
    for (size_t start = 0; start < posts.size(); start += kBatch) {
      RETURN_IF_ERROR(Exec("BEGIN"));
      size_t end = std::min(posts.size(), start + kBatch);
      for (size_t i = start; i < end; ++i) {
        const Post& p = posts[i];
        sqlite3_stmt* st = insert_.get();
        sqlite3_bind_int64(st, 1, static_cast<int64_t>(p.id));
        sqlite3_bind_text(st, 2, p.title.data(), static_cast<int>(p.title.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p.body.data(), static_cast<int>(p.body.size()), SQLITE_STATIC);
        sqlite3_bind_int(st, 4, p.published ? 1 : 0);
        sqlite3_bind_int64(st, 5, p.score);
        sqlite3_bind_int64(st, 6, static_cast<int64_t>(p.author_id));
        sqlite3_bind_int64(st, 7, p.created_at_ms);
        sqlite3_bind_int64(st, 8, p.created_at_ms);
        RETURN_IF_ERROR(StepDone(st, "insert post"));
        st = insert_fts_.get();
        sqlite3_bind_int64(st, 1, static_cast<int64_t>(p.id));
        sqlite3_bind_text(st, 2, p.title.data(), static_cast<int>(p.title.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p.body.data(), static_cast<int>(p.body.size()), SQLITE_STATIC);
        RETURN_IF_ERROR(StepDone(st, "insert post_fts"));
      }
      RETURN_IF_ERROR(Exec("COMMIT"));
    }
    return Status::OK();
  }

  Status Settle() override { return Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

  Result<uint64_t> DiskBytes() override { return DirectoryBytes(dir_); }

  Result<uint64_t> PointGet(uint64_t id) override {
    sqlite3_stmt* st = get_.get();
    ResetOnExit reset(st);
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(id));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return Status(Code::kRecordNotFound, "post " + std::to_string(id));
    if (rc != SQLITE_ROW) return SqliteError(db_, "get");
    return ReadRow(st).checksum;
  }

  Result<Page> AuthorPage(uint64_t author_id, int page_size,
                          const std::string& after_cursor) override {
    sqlite3_stmt* st = after_cursor.empty() ? author_first_.get() : author_next_.get();
    ResetOnExit reset(st);
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(author_id));
    sqlite3_bind_int(st, 2, page_size);
    if (!after_cursor.empty()) {
      int64_t created_at = 0, id = 0;
      RETURN_IF_ERROR(DecodeCursor(after_cursor, &created_at, &id));
      sqlite3_bind_int64(st, 3, created_at);
      sqlite3_bind_int64(st, 4, id);
    }
    return ReadPage(st, "author page");
  }

  Status SetCompositeAuthorIndex(bool enabled) override {
    RETURN_IF_ERROR(Exec(enabled ? "CREATE INDEX post_author_created ON post(authorId, createdAt)"
                                 : "DROP INDEX post_author_created"));
    // Re-prepare so the planner sees the index change now rather than on SQLITE_SCHEMA retry.
    return PrepareStatements();
  }

  Result<Page> FeedPage(int page_size, const std::string& after_cursor) override {
    sqlite3_stmt* st = after_cursor.empty() ? feed_first_.get() : feed_next_.get();
    ResetOnExit reset(st);
    sqlite3_bind_int(st, 1, page_size);
    if (!after_cursor.empty()) {
      int64_t created_at = 0, id = 0;
      RETURN_IF_ERROR(DecodeCursor(after_cursor, &created_at, &id));
      sqlite3_bind_int64(st, 2, created_at);
      sqlite3_bind_int64(st, 3, id);
    }
    return ReadPage(st, "feed page");
  }

  Result<Page> FeedPageAtOffset(int page_size, uint64_t offset) override {
    sqlite3_stmt* st = feed_offset_.get();
    ResetOnExit reset(st);
    sqlite3_bind_int(st, 1, page_size);
    sqlite3_bind_int64(st, 2, static_cast<int64_t>(offset));
    return ReadPage(st, "feed offset page");
  }

  Result<Page> ScoreRangePage(int64_t lo, int64_t hi, int page_size) override {
    sqlite3_stmt* st = score_range_.get();
    ResetOnExit reset(st);
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    sqlite3_bind_int(st, 3, page_size);
    return ReadPage(st, "score range page");
  }

  Result<std::vector<Row>> FullText(const std::string& query, int limit) override {
    sqlite3_stmt* st = full_text_.get();
    ResetOnExit reset(st);
    sqlite3_bind_text(st, 1, query.data(), static_cast<int>(query.size()), SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    ASSIGN_OR_RETURN(Page page, ReadPage(st, "full text"));
    return std::move(page.rows);
  }

  Status PrepareWorkers(int workers) override {
    while (static_cast<int>(workers_.size()) < workers) {
      Status s;
      sqlite3* w = OpenConnection(path_, config_.cache_bytes, &s);
      if (w == nullptr) return s;
      workers_.push_back(w);
      auto stmt = std::make_unique<Statement>();
      RETURN_IF_ERROR(stmt->Prepare(w, "UPDATE post SET score = score + 1 WHERE id = ?"));
      worker_stmts_.push_back(std::move(stmt));
    }
    return Status::OK();
  }

  Status Increment(int worker, uint64_t id) override {
    sqlite3_stmt* st = worker_stmts_[worker]->get();
    ResetOnExit reset(st);
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(id));
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) return SqliteError(workers_[worker], "increment");
    return Status::OK();
  }

  Result<int64_t> ReadCounter(uint64_t id) override {
    sqlite3_stmt* st = read_counter_.get();
    ResetOnExit reset(st);
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(id));
    if (sqlite3_step(st) != SQLITE_ROW) return SqliteError(db_, "read counter");
    return sqlite3_column_int64(st, 0);
  }

  // One transaction: external-content FTS5 needs the row's old title and body to remove its
  // postings ('delete' command) before the row changes, then the new text is indexed.
  Status EditTitle(uint64_t id, std::string_view title) override {
    RETURN_IF_ERROR(StepDone(begin_.get(), "begin"));
    Status s = EditTitleInTransaction(id, title);
    if (!s.ok()) {
      (void)StepDone(rollback_.get(), "rollback");
      return s;
    }
    return StepDone(commit_.get(), "commit");
  }

  Result<std::string> ReadTitle(uint64_t id) override {
    sqlite3_stmt* st = read_title_.get();
    ResetOnExit reset(st);
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(id));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return Status(Code::kRecordNotFound, "post " + std::to_string(id));
    if (rc != SQLITE_ROW) return SqliteError(db_, "read title");
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    return std::string(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(st, 0)));
  }

  // FTS5's own check that the full-text index agrees with the content table (for external
  // content, the 'integrity-check' command with rank 1 compares it with post's rows).
  Status CheckConsistency() override {
    return Exec("INSERT INTO post_fts(post_fts, rank) VALUES('integrity-check', 1)");
  }

  Result<uint64_t> DeleteMany(const DeleteFilter& filter) override {
    // External-content FTS5 needs the old column values to remove a row's postings, so the
    // 'delete' commands go first, then the rows, in one transaction.
    const std::string bound = std::to_string(filter.score_below);
    RETURN_IF_ERROR(Exec("BEGIN"));
    RETURN_IF_ERROR(
        Exec("INSERT INTO post_fts(post_fts, rowid, title, body) SELECT 'delete', id, title, body"
             " FROM post WHERE score < " +
             bound));
    RETURN_IF_ERROR(Exec("DELETE FROM post WHERE score < " + bound));
    uint64_t deleted = static_cast<uint64_t>(sqlite3_changes64(db_));
    RETURN_IF_ERROR(Exec("COMMIT"));
    return deleted;
  }

  Status Compact() override {
    RETURN_IF_ERROR(Exec("INSERT INTO post_fts(post_fts) VALUES('optimize')"));
    RETURN_IF_ERROR(Exec("VACUUM"));
    return Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

 private:
  Status Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      return Status(Code::kIoError, "\"" + sql.substr(0, 80) + "\": " + message);
    }
    return Status::OK();
  }

  Status EditTitleInTransaction(uint64_t id, std::string_view title) {
    sqlite3_bind_int64(fts_delete_.get(), 1, static_cast<int64_t>(id));
    RETURN_IF_ERROR(StepDone(fts_delete_.get(), "fts delete"));
    sqlite3_stmt* st = update_title_.get();
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(id));
    sqlite3_bind_text(st, 2, title.data(), static_cast<int>(title.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, WallClockMs());
    RETURN_IF_ERROR(StepDone(st, "update title"));
    if (sqlite3_changes64(db_) == 0)
      return Status(Code::kRecordNotFound, "post " + std::to_string(id));
    sqlite3_bind_int64(fts_insert_.get(), 1, static_cast<int64_t>(id));
    return StepDone(fts_insert_.get(), "fts insert");
  }

  Status StepDone(sqlite3_stmt* st, const char* what) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return SqliteError(db_, what);
    return Status::OK();
  }

  Result<Page> ReadPage(sqlite3_stmt* st, const char* what) {
    Page page;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) page.rows.push_back(ReadRow(st));
    if (rc != SQLITE_DONE) return SqliteError(db_, what);
    if (!page.rows.empty()) page.end_cursor = EncodeCursor(page.rows.back());
    return page;
  }

  Status PrepareStatements() {
    const std::string cols = kSelectColumns;
    RETURN_IF_ERROR(insert_.Prepare(db_, "INSERT INTO post VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(
        insert_fts_.Prepare(db_, "INSERT INTO post_fts(rowid, title, body) VALUES (?, ?, ?)"));
    RETURN_IF_ERROR(get_.Prepare(db_, "SELECT " + cols + " FROM post WHERE id = ?"));
    RETURN_IF_ERROR(author_first_.Prepare(db_, "SELECT " + cols +
                                                   " FROM post WHERE authorId = ?1"
                                                   " ORDER BY createdAt DESC, id DESC LIMIT ?2"));
    RETURN_IF_ERROR(author_next_.Prepare(
        db_, "SELECT " + cols +
                 " FROM post WHERE authorId = ?1 AND (createdAt, id) < (?3, ?4)"
                 " ORDER BY createdAt DESC, id DESC LIMIT ?2"));
    RETURN_IF_ERROR(feed_first_.Prepare(
        db_, "SELECT " + cols + " FROM post ORDER BY createdAt DESC, id DESC LIMIT ?1"));
    RETURN_IF_ERROR(feed_next_.Prepare(db_, "SELECT " + cols +
                                                " FROM post WHERE (createdAt, id) < (?2, ?3)"
                                                " ORDER BY createdAt DESC, id DESC LIMIT ?1"));
    RETURN_IF_ERROR(feed_offset_.Prepare(
        db_, "SELECT " + cols + " FROM post ORDER BY createdAt DESC, id DESC LIMIT ?1 OFFSET ?2"));
    RETURN_IF_ERROR(score_range_.Prepare(db_, "SELECT " + cols +
                                                  " FROM post WHERE score BETWEEN ?1 AND ?2"
                                                  " ORDER BY score, id LIMIT ?3"));
    RETURN_IF_ERROR(full_text_.Prepare(
        db_,
        "SELECT p.id, p.title, p.body, p.published, p.score, p.authorId, p.createdAt,"
        " p.updatedAt FROM post p JOIN (SELECT rowid, rank FROM post_fts WHERE post_fts MATCH ?1"
        " ORDER BY rank LIMIT ?2) f ON p.id = f.rowid ORDER BY f.rank"));
    RETURN_IF_ERROR(begin_.Prepare(db_, "BEGIN"));
    RETURN_IF_ERROR(commit_.Prepare(db_, "COMMIT"));
    RETURN_IF_ERROR(rollback_.Prepare(db_, "ROLLBACK"));
    RETURN_IF_ERROR(
        fts_delete_.Prepare(db_,
                            "INSERT INTO post_fts(post_fts, rowid, title, body)"
                            " SELECT 'delete', id, title, body FROM post WHERE id = ?1"));
    RETURN_IF_ERROR(
        update_title_.Prepare(db_, "UPDATE post SET title = ?2, updatedAt = ?3 WHERE id = ?1"));
    RETURN_IF_ERROR(fts_insert_.Prepare(
        db_,
        "INSERT INTO post_fts(rowid, title, body) SELECT id, title, body FROM post WHERE id = ?1"));
    RETURN_IF_ERROR(read_title_.Prepare(db_, "SELECT title FROM post WHERE id = ?"));
    return read_counter_.Prepare(db_, "SELECT score FROM post WHERE id = ?");
  }

  EngineConfig config_;
  std::string dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
  Statement insert_, insert_fts_, get_, author_first_, author_next_, feed_first_, feed_next_,
      feed_offset_, score_range_, full_text_, read_counter_, begin_, commit_, rollback_,
      fts_delete_, update_title_, fts_insert_, read_title_;
  std::vector<sqlite3*> workers_;  // one connection per increment worker
  std::vector<std::unique_ptr<Statement>> worker_stmts_;
};

}  // namespace

std::unique_ptr<Engine> NewSqliteEngine(const EngineConfig& config) {
  return std::make_unique<SqliteEngine>(config);
}

ADB_BENCH_REGISTER_ENGINE("sqlite", NewSqliteEngine);

}  // namespace actiondb::bench
