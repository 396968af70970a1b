// The consistency checker finds each kind of damage and names it precisely: index entries
// missing, stray, pointing at the wrong record or holding the wrong value; postings missing,
// stray or with the wrong bytes; search document entries and statistics that disagree with the
// records. Each test damages a clean store under the engine (raw writes through its own
// RocksDB, so the merge operators apply) and asserts the report's line, and that a clean store
// reports nothing. Stores with more than one posting block are covered too: the checker
// compares summaries first and locates differences only where they disagree.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/schema.h"
#include "engine/key_format.h"
#include "engine/merge_operators.h"
#include "engine/posting_segments.h"
#include "engine/search_index.h"
#include "engine/store.h"
#include "engine/store_internal.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using engine::Cf;
namespace keys = engine::keys;

constexpr const char* kSchema = R"({
  "models": {
    "doc": {
      "fields": {
        "title": {"type": "string"},
        "body": {"type": "richText"},
        "views": {"type": "number"},
        "code": {"type": "string", "validations": {"unique": true}}
      }
    }
  }
})";

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::OpenWithSchema(dir_.path(), kSchema);
    ASSERT_OK(db);
    db_ = std::move(db).value();
    model_ = db_->store().catalog()->FindModel("doc");
    ASSERT_NE(model_, nullptr);
    rep_ = db_->store().rep();
  }

  uint64_t Doc(const std::string& title, double views, const std::string& code) {
    auto r = db_->Create("doc", {{"title", Value::String(title)},
                                 {"body", Value::String("shared body words")},
                                 {"views", Value::Number(views)},
                                 {"code", Value::String(code)}});
    EXPECT_OK(r);
    return r.ok() ? r->id : 0;
  }

  CheckReport Check() {
    auto report = db_->Check();
    EXPECT_OK(report);
    return report.ok() ? *report : CheckReport{};
  }

  // Whether a discrepancy line contains every one of `parts`.
  static bool Reports(const CheckReport& report, const std::vector<std::string>& parts) {
    for (const auto& line : report.discrepancies) {
      bool all = true;
      for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
      if (all) return true;
    }
    return false;
  }
  static std::string Lines(const CheckReport& report) {
    std::string all;
    for (const auto& d : report.discrepancies) all += d + "\n";
    return all;
  }

  void Put(Cf cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(rep_->db->Put(rocksdb::WriteOptions(), rep_->cf(cf), key, value).ok());
  }
  void Delete(Cf cf, const std::string& key) {
    ASSERT_TRUE(rep_->db->Delete(rocksdb::WriteOptions(), rep_->cf(cf), key).ok());
  }
  // Writes the posting of `term` for record `rid` (nullopt: removes it) as a segment merge
  // operand, as a commit would.
  void WritePosting(const std::string& term, uint64_t rid, std::optional<std::string> posting) {
    engine::SegmentBuilder segment;
    segment.Add(static_cast<uint16_t>(rid % engine::kSegmentIds), posting);
    const std::string key = keys::SearchPostingKey(model_->id, term, rid);
    ASSERT_TRUE(rep_->db
                    ->Merge(rocksdb::WriteOptions(), rep_->cf(Cf::kFts), engine::SegmentKeyOf(key),
                            segment.Finish())
                    .ok());
  }
  // The stored postings of record `rid`, as (term, posting bytes).
  std::vector<std::pair<std::string, std::string>> PostingsOf(uint64_t rid) {
    std::vector<std::pair<std::string, std::string>> out;
    const std::string p = keys::SearchPostingModelPrefix(model_->id);
    auto it = db_->store().NewReadView()->NewIterator(Cf::kFts, p, keys::PrefixSuccessor(p));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view k = it->key();
      if (engine::PostingRecordId(k) != rid) continue;
      out.emplace_back(std::string(k.substr(p.size(), k.size() - p.size() - 9)),
                       std::string(it->value()));
    }
    EXPECT_OK(it->status());
    return out;
  }
  // The stored posting of the term whose text is `term`, for record `rid`.
  std::string PostingOf(const std::string& term, uint64_t rid) {
    for (auto& [t, posting] : PostingsOf(rid)) {
      if (t == term) return posting;
    }
    ADD_FAILURE() << "record " << rid << " has no posting for " << term;
    return "";
  }
  const engine::IndexInfo& Index(const std::string& name) {
    for (const auto& ix : model_->indexes) {
      if (ix.name == name) return ix;
    }
    ADD_FAILURE() << "no index " << name;
    return model_->indexes.front();
  }
  // The entry key of `values` for record `rid` in `index`, non-unique form.
  static std::string EntryKey(const engine::IndexInfo& index, const Value& value, uint64_t rid) {
    std::string key = keys::IndexPrefix(index.id);
    keys::AppendValue(&key, value);
    keys::PutBE64(&key, rid);
    return key;
  }
  static std::string UniqueKey(const engine::IndexInfo& index, const Value& value) {
    std::string key = keys::IndexPrefix(index.id);
    keys::AppendValue(&key, value);
    return key;
  }
  static std::string Id(uint64_t rid) {
    std::string v;
    keys::PutBE64(&v, rid);
    return v;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  const engine::ModelInfo* model_ = nullptr;
  engine::Store::Rep* rep_ = nullptr;
};

TEST_F(CheckerTest, ACleanStoreHasNoDiscrepancies) {
  Doc("first title", 1, "a");
  Doc("second title", 2, "b");
  CheckReport report = Check();
  EXPECT_TRUE(report.ok()) << Lines(report);
  EXPECT_EQ(report.records_checked, 2u);
  EXPECT_GT(report.index_entries_checked, 0u);
  EXPECT_GT(report.postings_checked, 0u);
}

TEST_F(CheckerTest, MissingIndexEntry) {
  Doc("first", 1, "a");
  uint64_t b = Doc("second", 7, "b");
  Delete(Cf::kIdx, EntryKey(Index("doc.views"), Value::Number(7), b));
  CheckReport report = Check();
  EXPECT_TRUE(
      Reports(report, {"idx doc.views", "record " + std::to_string(b), "has no index entry"}))
      << Lines(report);
  EXPECT_EQ(report.discrepancies.size(), 1u) << Lines(report);
}

TEST_F(CheckerTest, IndexEntryWithTheWrongValue) {
  uint64_t a = Doc("first", 1, "a");
  const auto& views = Index("doc.views");
  Delete(Cf::kIdx, EntryKey(views, Value::Number(1), a));
  Put(Cf::kIdx, EntryKey(views, Value::Number(5), a), "");
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"idx doc.views", "record " + std::to_string(a), "has value (5",
                               "but the record has (1"}))
      << Lines(report);
  EXPECT_TRUE(Reports(report, {"record " + std::to_string(a), "has no index entry"}))
      << Lines(report);
}

TEST_F(CheckerTest, IndexEntryForARecordThatDoesNotExist) {
  Doc("first", 1, "a");
  Put(Cf::kIdx, EntryKey(Index("doc.views"), Value::Number(3), 999), "");
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"idx doc.views", "record 999", "which does not exist"}))
      << Lines(report);
  EXPECT_EQ(report.discrepancies.size(), 1u) << Lines(report);
}

TEST_F(CheckerTest, UniqueEntryPointingAtAnotherRecord) {
  uint64_t a = Doc("first", 1, "a");
  uint64_t b = Doc("second", 2, "b");
  // The entry of code "b" now claims record a.
  Put(Cf::kIdx, UniqueKey(Index("doc.code (unique)"), Value::String("b")), Id(a));
  CheckReport report = Check();
  EXPECT_TRUE(
      Reports(report, {"idx doc.code (unique)", "unique entry for record " + std::to_string(b),
                       "points at record " + std::to_string(a)}))
      << Lines(report);
}

TEST_F(CheckerTest, MalformedIndexEntry) {
  Doc("first", 1, "a");
  Put(Cf::kIdx, keys::IndexPrefix(Index("doc.views").id) + "\x07junk", "");
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"idx doc.views", "malformed entry"})) << Lines(report);
}

TEST_F(CheckerTest, MissingPosting) {
  Doc("first apple", 1, "a");
  uint64_t b = Doc("second banana", 2, "b");
  auto postings = PostingsOf(b);
  ASSERT_FALSE(postings.empty());
  const std::string term = postings.front().first;
  WritePosting(term, b, std::nullopt);
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"fts doc", "record " + std::to_string(b),
                               "has no posting for \"" + keys::Printable(term) + "\""}))
      << Lines(report);
  EXPECT_EQ(report.discrepancies.size(), 1u) << Lines(report);
}

TEST_F(CheckerTest, PostingWithTheWrongBytes) {
  uint64_t a = Doc("cherry tart", 1, "a");
  auto postings = PostingsOf(a);
  ASSERT_FALSE(postings.empty());
  const auto& [term, posting] = postings.back();
  // Another record's posting of the same shape for another term: valid, but not this one's.
  WritePosting(term, a, engine::EncodePosting({{1, 1, {5}}}));
  ASSERT_NE(PostingOf(term, a), posting);
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"the posting of \"" + keys::Printable(term) + "\"",
                               "record " + std::to_string(a), "wrong positions or lengths"}))
      << Lines(report);
  EXPECT_EQ(report.discrepancies.size(), 1u) << Lines(report);
}

TEST_F(CheckerTest, StrayPostings) {
  uint64_t a = Doc("plain words", 1, "a");
  const std::string posting = engine::EncodePosting({{1, 1, {0}}});
  WritePosting("zzqqxx", a, posting);     // a term the record does not hold
  WritePosting("zzqqxx", 5000, posting);  // a record that does not exist (another block)
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"posting \"zzqqxx\" for record " + std::to_string(a),
                               "which does not contain the term"}))
      << Lines(report);
  EXPECT_TRUE(Reports(report, {"posting \"zzqqxx\" for record 5000", "which does not exist"}))
      << Lines(report);
}

TEST_F(CheckerTest, SearchDocumentEntries) {
  uint64_t a = Doc("alpha", 1, "a");
  uint64_t b = Doc("beta", 2, "b");
  Delete(Cf::kFts, keys::SearchDocKey(model_->id, a));
  Put(Cf::kFts, keys::SearchDocKey(model_->id, b), engine::EncodeDocEntry({{1, 42}}));
  Put(Cf::kFts, keys::SearchDocKey(model_->id, 777), engine::EncodeDocEntry({{1, 1}}));
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"record " + std::to_string(a), "has no search document entry"}))
      << Lines(report);
  EXPECT_TRUE(Reports(report, {"record " + std::to_string(b), "wrong search document entry"}))
      << Lines(report);
  EXPECT_TRUE(Reports(report, {"search document entry for missing record 777"})) << Lines(report);
}

TEST_F(CheckerTest, SearchStatistics) {
  uint64_t a = Doc("gamma delta", 1, "a");
  Doc("gamma", 2, "b");
  const std::string term = PostingsOf(a).front().first;
  Put(Cf::kStat, keys::SearchDfKey(model_->id, term), engine::EncodeI64LE(9));
  Put(Cf::kStat, keys::SearchDocCountKey(model_->id), engine::EncodeI64LE(5));
  const uint16_t title = model_->FindField("title")->id();
  Put(Cf::kStat, keys::SearchFieldTokensKey(model_->id, title), engine::EncodeI64LE(100));
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"document frequency of \"" + keys::Printable(term) + "\" is 9"}))
      << Lines(report);
  EXPECT_TRUE(Reports(report, {"document count is 5, records: 2"})) << Lines(report);
  EXPECT_TRUE(Reports(report, {"fts doc.title: token total is 100, expected 3"})) << Lines(report);
}

// Past one posting block (4,096 ids) and with many records per term: damage in the second
// block is found and located exactly, with nothing else reported.
TEST_F(CheckerTest, DamageAmongManyRecordsIsLocatedExactly) {
  const int n = static_cast<int>(engine::kSegmentIds) + 300;
  for (int i = 0; i < n; ++i) {
    Doc("common word" + std::string(i % 3 == 0 ? " rare" : ""), i, "c" + std::to_string(i));
  }
  CheckReport clean = Check();
  ASSERT_TRUE(clean.ok()) << Lines(clean);
  EXPECT_EQ(clean.records_checked, static_cast<uint64_t>(n));
  const uint64_t late = static_cast<uint64_t>(n) - 10;  // in the second block
  ASSERT_GE(late, engine::kSegmentIds);
  auto postings = PostingsOf(late);
  ASSERT_FALSE(postings.empty());
  const std::string term = postings.front().first;
  WritePosting(term, late, std::nullopt);
  Delete(Cf::kIdx,
         EntryKey(Index("doc.views"), Value::Number(static_cast<double>(late - 1)), late));
  CheckReport report = Check();
  EXPECT_TRUE(Reports(report, {"record " + std::to_string(late),
                               "has no posting for \"" + keys::Printable(term) + "\""}))
      << Lines(report);
  EXPECT_TRUE(
      Reports(report, {"idx doc.views", "record " + std::to_string(late), "has no index entry"}))
      << Lines(report);
  EXPECT_EQ(report.discrepancies.size(), 2u) << Lines(report);
}

}  // namespace
}  // namespace actiondb
