// Posting segments (engine/posting_segments.h): the merge operator against a model of the
// postings, the logical iterator against a map of logical keys, malformed bytes, and a store
// written through every path across many blocks staying consistent.
#include "engine/posting_segments.h"

#include <gtest/gtest.h>
#include <rocksdb/merge_operator.h>

#include <chrono>
#include <future>
#include <map>
#include <random>

#include "actiondb/database.h"
#include "actiondb/internal_api.h"
#include "actiondb/query.h"
#include "engine/key_format.h"
#include "engine/search_index.h"
#include "tests/test_util.h"

namespace actiondb::engine {
namespace {

using testing::ExpectCheckClean;
using testing::TempDir;
using testing::TestOptions;

constexpr uint32_t kModel = 7;

std::string LogicalKey(const std::string& term, uint64_t id) {
  return keys::SearchPostingKey(kModel, term, id);
}

// A posting that names its id and version, so a stale or misplaced one is visible.
std::string PostingFor(uint64_t id, int version) {
  return EncodePosting({{static_cast<uint16_t>(1 + version % 5),
                         static_cast<uint32_t>(id % 1000),
                         {static_cast<uint32_t>(version)}}});
}

using Slots = std::map<uint8_t, std::optional<std::string>>;  // nullopt: deleted

std::string Encode(const Slots& s) {
  std::string out;
  for (const auto& [off, p] : s) {
    AppendSegmentEntry(&out, off, p ? std::optional<std::string_view>(*p) : std::nullopt);
  }
  return out;
}

Slots Decode(const std::string& seg) {
  std::vector<SegmentEntry> entries;
  EXPECT_TRUE(DecodeSegment(seg, &entries));
  Slots out;
  for (const auto& e : entries) {
    out[e.offset] = e.deleted ? std::nullopt : std::optional<std::string>(std::string(e.posting));
  }
  return out;
}

std::string FullMerge(const rocksdb::MergeOperator& op, const std::string* base,
                      const std::vector<std::string>& operands) {
  std::vector<rocksdb::Slice> ops(operands.begin(), operands.end());
  rocksdb::Slice b = base ? rocksdb::Slice(*base) : rocksdb::Slice();
  std::string out;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationInput in("k", base ? &b : nullptr, ops, nullptr);
  rocksdb::MergeOperator::MergeOperationOutput o(out, existing_operand);
  EXPECT_TRUE(op.FullMergeV2(in, &o));
  return existing_operand.size() ? existing_operand.ToString() : out;
}

TEST(PostingSegmentsTest, MergesAgreeWithAModelUnderRandomOperands) {
  auto op = NewPostingSegmentMergeOperator();
  std::mt19937_64 rng(42);
  for (int round = 0; round < 300; ++round) {
    std::map<uint8_t, std::string> model;
    std::optional<std::string> base;
    if (rng() % 2) {
      Slots b;
      for (int i = 0; i < 20; ++i) {
        auto off = static_cast<uint8_t>(rng() % kSegmentIds);
        b[off] = PostingFor(off, 0);
      }
      for (const auto& [off, p] : b) model[off] = *p;
      base = Encode(b);
    }
    std::vector<std::string> operands;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      Slots o;
      for (int i = 0, m = static_cast<int>(rng() % 10); i < m; ++i) {
        auto off = static_cast<uint8_t>(rng() % kSegmentIds);
        if (rng() % 3 == 0) {
          o[off] = std::nullopt;
        } else {
          o[off] = PostingFor(off, k + 1);
        }
      }
      for (const auto& [off, p] : o) {
        if (p) {
          model[off] = *p;
        } else {
          model.erase(off);
        }
      }
      operands.push_back(Encode(o));
    }
    Slots want;
    for (const auto& [off, p] : model) want[off] = p;

    EXPECT_EQ(Decode(FullMerge(*op, base ? &*base : nullptr, operands)), want) << round;

    // Partial merges of any adjacent run, then the full merge, give the same.
    size_t a = rng() % operands.size(), b = a + rng() % (operands.size() - a);
    std::deque<rocksdb::Slice> run(operands.begin() + static_cast<ptrdiff_t>(a),
                                   operands.begin() + static_cast<ptrdiff_t>(b) + 1);
    std::string partial;
    ASSERT_TRUE(op->PartialMergeMulti("k", run, &partial, nullptr));
    std::vector<std::string> folded(operands.begin(), operands.begin() + static_cast<ptrdiff_t>(a));
    folded.push_back(partial);
    folded.insert(folded.end(), operands.begin() + static_cast<ptrdiff_t>(b) + 1, operands.end());
    EXPECT_EQ(Decode(FullMerge(*op, base ? &*base : nullptr, folded)), want) << round;
  }
}

TEST(PostingSegmentsTest, MalformedBytesAreReportedAndNeverFailAMerge) {
  std::vector<SegmentEntry> entries;
  std::string good;
  AppendSegmentEntry(&good, 3, std::string_view("\x01\x01\x01\x01\x00", 5));
  EXPECT_TRUE(DecodeSegment(good, &entries));
  for (const std::string& bad : {std::string("\x80\x01\x01", 3),  // offset beyond the block
                                 std::string("\x05\x09\x01", 3),  // length past the end
                                 good + good}) {                  // offsets not ascending
    EXPECT_FALSE(DecodeSegment(bad, &entries));
    auto r = PostingInSegment(bad, LogicalKey("t", 127));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidStoredData);
    // The merge keeps what decodes.
    auto op = NewPostingSegmentMergeOperator();
    std::string merged = FullMerge(*op, &bad, {});
    EXPECT_TRUE(DecodeSegment(merged, &entries));
  }
}

// A KvIterator over a std::map, with the stored keys of a segment layout.
class MapIterator : public KvIterator {
 public:
  MapIterator(const std::map<std::string, std::string>* m, std::string lower, std::string upper)
      : m_(m), lower_(std::move(lower)), upper_(std::move(upper)), it_(m->end()) {}
  void Seek(std::string_view t) override {
    it_ = m_->lower_bound(std::string(std::max(t, std::string_view(lower_))));
  }
  void SeekForPrev(std::string_view t) override {
    it_ = m_->upper_bound(std::string(t));
    Back();
  }
  void SeekToFirst() override { Seek(lower_); }
  void SeekToLast() override {
    it_ = upper_.empty() ? m_->end() : m_->lower_bound(upper_);
    Back();
  }
  bool Valid() const override {
    return it_ != m_->end() && it_->first >= lower_ && (upper_.empty() || it_->first < upper_);
  }
  void Next() override { ++it_; }
  void Prev() override { Back(); }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  Status status() const override { return Status::OK(); }
  uint64_t keys_scanned() const override { return 0; }

 private:
  void Back() { it_ = it_ == m_->begin() ? m_->end() : std::prev(it_); }
  const std::map<std::string, std::string>* m_;
  std::string lower_, upper_;
  std::map<std::string, std::string>::const_iterator it_;
};

TEST(PostingSegmentsTest, IteratorShowsTheLogicalKeysInEveryDirectionAndBound) {
  std::mt19937_64 rng(7);
  // Logical postings of a few terms over ids spanning several blocks, plus other keys.
  std::map<std::string, std::string> logical;
  const std::vector<std::string> terms = {"alpha", "beta", "gamma"};
  for (const auto& t : terms) {
    for (int i = 0; i < 150; ++i) {
      uint64_t id = rng() % 700;
      logical[LogicalKey(t, id)] = PostingFor(id, 1);
    }
  }
  logical[keys::SearchDocKey(kModel, 5)] = "doc";
  logical[keys::SearchMetaKey(kModel)] = "meta";
  // Stored: segments (with a deleted entry and an all-deleted segment thrown in).
  std::map<std::string, Slots> segs;
  for (const auto& [k, v] : logical) {
    if (PostingKeyIdOffset(k) == 0) continue;
    segs[SegmentKeyOf(k)][static_cast<uint8_t>(keys::GetBE64(k.data() + k.size() - 8) % 128)] = v;
  }
  segs[SegmentKeyOf(LogicalKey("beta", 5000))][9] = std::nullopt;
  segs[SegmentKeyOf(LogicalKey("alpha", 2))][127] = std::nullopt;
  std::map<std::string, std::string> stored;
  for (const auto& [k, s] : segs) stored[k] = Encode(s);
  for (const auto& [k, v] : logical) {
    if (PostingKeyIdOffset(k) == 0) stored[k] = v;
  }

  std::vector<std::string> all;
  for (const auto& [k, v] : logical) all.push_back(k);
  std::vector<std::pair<std::string, std::string>> bounds = {
      {std::string(1, 'D'), ""},
      {keys::SearchPostingPrefix(kModel, "beta"),
       keys::PrefixSuccessor(keys::SearchPostingPrefix(kModel, "beta"))},
      {LogicalKey("alpha", 200), LogicalKey("gamma", 300)},  // bounds inside segments
      {LogicalKey("beta", 129), LogicalKey("beta", 130)},
  };
  for (const auto& [lo, hi] : bounds) {
    auto in_bounds = [&](const std::string& k) { return k >= lo && (hi.empty() || k < hi); };
    std::vector<std::string> want;
    for (const auto& k : all) {
      if (in_bounds(k)) want.push_back(k);
    }
    auto it = NewSegmentIterator(std::make_unique<MapIterator>(&stored, SegmentLowerBound(lo), hi),
                                 lo, hi);
    std::vector<std::string> got;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      got.emplace_back(it->key());
      EXPECT_EQ(it->value(), logical.at(got.back()));
    }
    ASSERT_TRUE(it->status().ok());
    EXPECT_EQ(got, want) << "forward from " << lo;
    got.clear();
    for (it->SeekToLast(); it->Valid(); it->Prev()) got.emplace_back(it->key());
    std::reverse(got.begin(), got.end());
    EXPECT_EQ(got, want) << "backward from " << hi;
    // Seeks to every logical key and to the points between them.
    for (int probe = 0; probe < 300; ++probe) {
      std::string target = LogicalKey(terms[rng() % 3], rng() % 800);
      if (probe % 7 == 0) target = keys::SearchPostingPrefix(kModel, terms[rng() % 3]);
      auto first_at_or_after =
          std::find_if(want.begin(), want.end(), [&](const std::string& k) { return k >= target; });
      it->Seek(target);
      if (first_at_or_after == want.end()) {
        EXPECT_FALSE(it->Valid()) << "seek past the end";
      } else {
        ASSERT_TRUE(it->Valid());
        EXPECT_EQ(it->key(), *first_at_or_after);
        // A second seek forward within the same segment (the search's candidate seeks).
        auto later = std::find_if(first_at_or_after, want.end(),
                                  [&](const std::string& k) { return k > *first_at_or_after; });
        if (later != want.end()) {
          it->Seek(*later);
          ASSERT_TRUE(it->Valid());
          EXPECT_EQ(it->key(), *later);
        }
      }
      auto last_at_or_before = std::find_if(want.rbegin(), want.rend(),
                                            [&](const std::string& k) { return k <= target; });
      it->SeekForPrev(target);
      if (last_at_or_before == want.rend()) {
        EXPECT_FALSE(it->Valid()) << "seek for prev before the start";
      } else {
        ASSERT_TRUE(it->Valid());
        EXPECT_EQ(it->key(), *last_at_or_before);
      }
    }
  }

  // A malformed segment stops the iterator with an error.
  stored[SegmentKeyOf(LogicalKey("beta", 260))] = std::string("\x90", 1);
  auto it = NewSegmentIterator(std::make_unique<MapIterator>(&stored, "", ""), "", "");
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  EXPECT_EQ(it->status().code(), Code::kInvalidStoredData);
}

// The commit path writes a segment whole (a put of its live entries) only where the
// transaction created every id of the block; other segments stay merge operands.
TEST(PostingSegmentsTest, WriterPutsWholeSegmentsAndMergesTheRest) {
  std::vector<std::pair<std::string, std::string>> merges, puts;
  std::vector<std::string> deletes;
  SegmentWriter w([&](std::string_view k, std::string_view v) { merges.emplace_back(k, v); },
                  [&](std::string_view k, std::string_view v) { puts.emplace_back(k, v); },
                  [&](std::string_view k) { deletes.emplace_back(k); },
                  [](uint32_t model, uint64_t block) { return model == kModel && block == 128; });
  // Keys in ascending order, as the commit path sends them.
  w.Write(LogicalKey("alpha", 5), PostingFor(5, 1));      // block 0: merge
  w.Write(LogicalKey("alpha", 130), PostingFor(130, 1));  // block 128: whole
  w.Write(LogicalKey("alpha", 131), std::nullopt);        // deleted: left out of the put
  w.Write(LogicalKey("alpha", 200), PostingFor(200, 2));  // block 128: whole
  w.Write(LogicalKey("beta", 140), std::nullopt);         // whole, nothing live: no write
  w.Write(LogicalKey("beta", 300), std::nullopt);         // block 256: a deleted entry
  w.Write(keys::SearchDocKey(kModel, 130), "doc");        // not a posting: as it is
  w.Finish();
  ASSERT_EQ(merges.size(), 2u);
  EXPECT_EQ(merges[0].first, SegmentKeyOf(LogicalKey("alpha", 0)));
  EXPECT_EQ(Decode(merges[0].second), (Slots{{5, PostingFor(5, 1)}}));
  EXPECT_EQ(merges[1].first, SegmentKeyOf(LogicalKey("beta", 256)));
  EXPECT_EQ(Decode(merges[1].second), (Slots{{44, std::nullopt}}));
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(puts[0].first, SegmentKeyOf(LogicalKey("alpha", 128)));
  EXPECT_EQ(Decode(puts[0].second), (Slots{{2, PostingFor(130, 1)}, {72, PostingFor(200, 2)}}));
  EXPECT_EQ(puts[1], std::make_pair(keys::SearchDocKey(kModel, 130), std::string("doc")));
  EXPECT_TRUE(deletes.empty());
}

TEST(PostingSegmentsTest, WholeBlocksAreThoseEveryIdOfWhichWasCreated) {
  SearchPending p;
  for (uint64_t id = 100; id < 400; ++id) p.NoteCreated(kModel, id);  // blocks 128 and 256
  for (uint64_t id = 0; id < 128; ++id) {
    if (id != 64) p.NoteCreated(kModel + 1, 512 + id);  // one id short
  }
  p.NoteCreated(kModel + 1, 577);  // ... and a repeat does not make up for it
  using B = std::vector<std::pair<uint32_t, uint64_t>>;
  EXPECT_EQ(p.WholeBlocks(), (B{{kModel, 128}, {kModel, 256}}));
  p.SetSavePoint();
  p.NoteCreated(kModel + 1, 512 + 64);
  EXPECT_EQ(p.WholeBlocks(), (B{{kModel, 128}, {kModel, 256}, {kModel + 1, 512}}));
  ASSERT_TRUE(p.RollbackToSavePoint());  // the creation is undone, the block no longer whole
  EXPECT_EQ(p.WholeBlocks(), (B{{kModel, 128}, {kModel, 256}}));
  p.Clear();
  EXPECT_TRUE(p.WholeBlocks().empty());
}

// A transaction that creates most of a block around a record it did not create must keep that
// record's postings: the block is merged, not put. And one whose creation of an id was rolled
// back to a savepoint does not own that id's block: another writer's record there survives
// its commit.
TEST(PostingSegmentsTest, BulkCreatesKeepOtherRecordsOfTheirBlocks) {
  TempDir dir;
  auto db = Database::Open(dir.path(), TestOptions());
  ASSERT_OK(db);
  auto schema = ParseSchemaJson(R"({"models": {"note": {"fields": {
      "title": {"type": "string"}}}}})");
  ASSERT_OK(schema);
  ASSERT_OK((*db)->ApplySchema(*schema));
  auto create = [&](Transaction& txn, uint64_t id, const std::string& title) {
    return txn.Create("note", {{"id", Value::Id(id)}, {"title", Value::String(title)}});
  };
  ASSERT_OK((*db)->Create("note", {{"id", Value::Id(200)}, {"title", Value::String("keeper")}}));
  {
    auto txn = (*db)->BeginTransaction();
    for (uint64_t id = 128; id < 384; ++id) {
      if (id != 200) ASSERT_OK(create(*txn, id, "bulk words"));
    }
    ASSERT_OK(txn->Commit());
  }
  // Ids 384..511 created by one transaction, 511 rolled back; another writer creates 511
  // before that transaction commits (as soon as the rolled-back creation's lock allows).
  auto txn = (*db)->BeginTransaction();
  for (uint64_t id = 384; id < 511; ++id) ASSERT_OK(create(*txn, id, "bulk words"));
  txn->SetSavePoint();
  ASSERT_OK(create(*txn, 511, "bulk words"));
  ASSERT_OK(txn->RollbackToSavePoint());
  auto other = std::async(std::launch::async, [&] {
    return (*db)->Create("note", {{"id", Value::Id(511)}, {"title", Value::String("other")}});
  });
  const bool created_first = other.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  ASSERT_OK(txn->Commit());
  auto made = other.get();
  ASSERT_OK(made);
  EXPECT_TRUE(created_first) << "the rolled-back creation still held id 511's lock";

  Query q(**db);
  auto ids_of = [&](const std::string& text) {
    FindRequest r;
    r.search = text;
    r.first = 250;
    std::vector<uint64_t> out;
    auto c = q.FindMany("note", r);
    EXPECT_OK(c);
    if (c.ok()) {
      for (const auto& e : c->edges) out.push_back(e.node.record.id);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids_of("keeper"), std::vector<uint64_t>{200});
  EXPECT_EQ(ids_of("other"), std::vector<uint64_t>{511});
  ExpectCheckClean(**db);
  ASSERT_OK((*db)->Compact());
  EXPECT_EQ(ids_of("keeper"), std::vector<uint64_t>{200});
  ExpectCheckClean(**db);
}

// Writes through every path over ids in many blocks, from several threads: the checker (which
// re-analyzes every record and compares its postings both ways) finds records, postings and
// statistics exactly consistent, before and after a compaction merges the operands.
TEST(PostingSegmentsTest, StoreStaysConsistentAcrossBlocksAndThreads) {
  TempDir dir;
  auto db = Database::Open(dir.path(), TestOptions());
  ASSERT_OK(db);
  auto schema = ParseSchemaJson(R"({"models": {"note": {"fields": {
      "title": {"type": "string"}, "n": {"type": "number", "index": true}}}}})");
  ASSERT_OK(schema);
  ASSERT_OK((*db)->ApplySchema(*schema));
  auto api = InternalApi(**db).model("note");
  std::vector<WriteInput> batch;
  for (int i = 0; i < 700; ++i) {
    auto in = ParseWriteInputJson(**db, "note",
                                  R"({"title": "word)" + std::to_string(i % 9) +
                                      " shared\", \"n\": " + std::to_string(i) + "}");
    ASSERT_OK(in);
    batch.push_back(std::move(*in));
  }
  ASSERT_OK(api.BulkCreate(batch));
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int k = 0; k < 150; ++k) {
        uint64_t id = 1 + rng() % 700;
        if (rng() % 4 == 0) {
          (void)api.Delete(id);  // may be gone already
        } else {
          auto in = ParseWriteInputJson(**db, "note",
                                        R"({"title": "edited)" + std::to_string(rng() % 5) + "\"}");
          if (in.ok()) (void)api.Update(id, *in);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_OK((*db)->Flush());
  ExpectCheckClean(**db);
  ASSERT_OK((*db)->Compact());
  ExpectCheckClean(**db);
}

}  // namespace
}  // namespace actiondb::engine
