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

using Slots = std::map<uint16_t, std::optional<std::string>>;  // nullopt: deleted

std::string Encode(const Slots& s) {
  SegmentBuilder b;
  for (const auto& [off, p] : s) {
    b.Add(off, p ? std::optional<std::string_view>(*p) : std::nullopt);
  }
  return b.Finish();
}

constexpr uint64_t K = kSegmentIds;  // ids per block
constexpr uint64_t C = kChunkIds;    // ids per chunk

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
    // Offsets drawn from a small pool, so that inputs share chunks and ids: the block's ends,
    // a chunk's ends, and a few anywhere.
    std::vector<uint16_t> pool = {0, C - 1, C, 2 * C - 1, K - C, K - 1};
    for (int i = 0; i < 10; ++i) pool.push_back(static_cast<uint16_t>(rng() % K));
    auto draw = [&] { return pool[rng() % pool.size()]; };
    std::map<uint16_t, std::string> model;
    std::optional<std::string> base;
    if (rng() % 2) {
      Slots b;
      for (int i = 0; i < 20; ++i) {
        auto off = draw();
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
        auto off = draw();
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
  const std::string posting("\x01\x01\x01\x01\x00", 5);
  // Chunk 0 with the entry at offset 3; chunk 31 (the last of a block of 4,096) with 127.
  const std::string entry0 = std::string("\x03\x05", 2) + posting;
  const std::string chunk0 = std::string("\x00\x07", 2) + entry0;
  static_assert(kSegmentIds / kChunkIds == 32);
  const std::string chunk31 = std::string("\x1f\x07\x7f\x05", 4) + posting;
  ASSERT_EQ(Encode(Slots{{3, posting}, {K - 1, posting}}), chunk0 + chunk31);
  EXPECT_TRUE(DecodeSegment(chunk0 + chunk31, &entries));
  EXPECT_EQ(entries.size(), 2u);
  // Each with an id whose lookup reaches the bad bytes (none: no lookup does).
  const std::vector<std::pair<std::string, std::optional<uint64_t>>> cases = {
      {std::string("\x20\x07", 2) + entry0, K - 1},             // chunk number beyond the block
      {chunk31 + chunk0, std::nullopt},                         // chunks not ascending
      {chunk0 + chunk0, K - 1},                                 // ... nor repeated
      {std::string("\x00\x00", 2) + chunk31, K - 1},            // an empty chunk
      {std::string("\x00\x09", 2) + entry0, K - 1},             // chunk length past the end
      {std::string("\x00\x09", 2) + entry0 + "\x80\x01", 100},  // offset beyond the chunk
      {std::string("\x00\x0e", 2) + entry0 + entry0, 100},      // offsets not ascending
      {std::string("\x00\x07\x03\x06", 4) + posting, 100},      // posting past its chunk
      {std::string("\x00\x02\x03\x80", 4), 100},                // a truncated varint
  };
  for (const auto& [bad, probe] : cases) {
    SCOPED_TRACE(::testing::PrintToString(bad));
    EXPECT_FALSE(DecodeSegment(bad, &entries));
    if (probe) {
      auto r = PostingInSegment(bad, LogicalKey("t", *probe));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), Code::kInvalidStoredData);
    }
    // The merge keeps what decodes, alone and merged with a good operand.
    auto op = NewPostingSegmentMergeOperator();
    std::string merged = FullMerge(*op, &bad, {});
    EXPECT_TRUE(DecodeSegment(merged, &entries));
    merged = FullMerge(*op, &bad, {Encode(Slots{{3, PostingFor(3, 2)}})});
    EXPECT_TRUE(DecodeSegment(merged, &entries));
    std::string partial;
    std::deque<rocksdb::Slice> run = {rocksdb::Slice(bad), rocksdb::Slice(chunk0)};
    ASSERT_TRUE(op->PartialMergeMulti("k", run, &partial, nullptr));
    EXPECT_TRUE(DecodeSegment(partial, &entries));
  }
  // A lookup stops at the chunk of the id it wants: bytes after it are not read.
  auto r = PostingInSegment(chunk0 + "\x90", LogicalKey("t", 3));
  ASSERT_OK(r);
  EXPECT_EQ(*r, std::optional<std::string>(posting));
}

// A merge copies the chunks only one input holds and merges the others: the result is the
// same segment as building it from the merged entries (no empty or doubled chunk).
TEST(PostingSegmentsTest, MergedSegmentsAreCanonical) {
  auto op = NewPostingSegmentMergeOperator();
  const Slots base = {
      {1, PostingFor(1, 0)}, {C + 5, PostingFor(C + 5, 0)}, {K - 1, PostingFor(K - 1, 0)}};
  const Slots op1 = {{C + 5, std::nullopt}, {3 * C, PostingFor(3 * C, 1)}};
  const Slots op2 = {{1, std::nullopt}, {C + 6, PostingFor(C + 6, 2)}};
  const std::string stored = Encode(base);
  const std::string merged = FullMerge(*op, &stored, {Encode(op1), Encode(op2)});
  const Slots want = {
      {C + 6, PostingFor(C + 6, 2)}, {3 * C, PostingFor(3 * C, 1)}, {K - 1, PostingFor(K - 1, 0)}};
  EXPECT_EQ(merged, Encode(want));
  // A partial merge keeps the deleted entries, in their chunks.
  std::string partial;
  std::deque<rocksdb::Slice> run;
  const std::string e1 = Encode(op1), e2 = Encode(op2);
  run = {rocksdb::Slice(e1), rocksdb::Slice(e2)};
  ASSERT_TRUE(op->PartialMergeMulti("k", run, &partial, nullptr));
  EXPECT_EQ(partial, Encode(Slots{{1, std::nullopt},
                                  {C + 5, std::nullopt},
                                  {C + 6, PostingFor(C + 6, 2)},
                                  {3 * C, PostingFor(3 * C, 1)}}));
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
  // Logical postings of a few terms over ids spanning several blocks (sparse, and a dense run
  // across a block boundary), plus other keys.
  const uint64_t span = 3 * K + 700;
  std::map<std::string, std::string> logical;
  const std::vector<std::string> terms = {"alpha", "beta", "gamma"};
  for (const auto& t : terms) {
    for (int i = 0; i < 300; ++i) {
      uint64_t id = rng() % span;
      logical[LogicalKey(t, id)] = PostingFor(id, 1);
    }
    for (uint64_t id = K - 150; id < K + 150; id += 1 + rng() % 3) {
      logical[LogicalKey(t, id)] = PostingFor(id, 1);
    }
  }
  // A chunk of only deleted entries inside a segment with live ones (alpha's chunk 3).
  for (uint64_t id = 3 * C; id < 4 * C; ++id) logical.erase(LogicalKey("alpha", id));
  logical[keys::SearchDocKey(kModel, 5)] = "doc";
  logical[keys::SearchMetaKey(kModel)] = "meta";
  // Stored: segments (with deleted entries and an all-deleted segment thrown in).
  std::map<std::string, Slots> segs;
  for (const auto& [k, v] : logical) {
    if (PostingKeyIdOffset(k) == 0) continue;
    segs[SegmentKeyOf(k)][static_cast<uint16_t>(keys::GetBE64(k.data() + k.size() - 8) % K)] = v;
  }
  segs[SegmentKeyOf(LogicalKey("beta", 5 * K))][9] = std::nullopt;
  segs[SegmentKeyOf(LogicalKey("alpha", 2))][3 * C + 17] = std::nullopt;
  segs[SegmentKeyOf(LogicalKey("alpha", 2))][3 * C + 18] = std::nullopt;
  if (!logical.count(LogicalKey("gamma", 2 * K - 1))) {
    segs[SegmentKeyOf(LogicalKey("gamma", K))][K - 1] = std::nullopt;
  }
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
      {LogicalKey("beta", K + 300), LogicalKey("beta", 2 * K + 1000)},  // ... inside chunks
      {LogicalKey("alpha", 3 * C + 5), LogicalKey("alpha", 5 * C)},
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
      std::string target = LogicalKey(terms[rng() % 3], rng() % (span + 100));
      if (probe % 7 == 0) target = keys::SearchPostingPrefix(kModel, terms[rng() % 3]);
      auto first_at_or_after =
          std::find_if(want.begin(), want.end(), [&](const std::string& k) { return k >= target; });
      it->Seek(target);
      if (first_at_or_after == want.end()) {
        EXPECT_FALSE(it->Valid()) << "seek past the end";
      } else {
        ASSERT_TRUE(it->Valid());
        EXPECT_EQ(it->key(), *first_at_or_after);
        // A step back and forth again (across chunks and segments alike).
        if (first_at_or_after != want.begin()) {
          it->Prev();
          ASSERT_TRUE(it->Valid());
          EXPECT_EQ(it->key(), *std::prev(first_at_or_after));
          it->Next();
          ASSERT_TRUE(it->Valid());
          EXPECT_EQ(it->key(), *first_at_or_after);
        }
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
                  [](uint32_t model, uint64_t block) { return model == kModel && block == K; });
  // Keys in ascending order, as the commit path sends them.
  w.Write(LogicalKey("alpha", 5), PostingFor(5, 1));          // block 0: merge
  w.Write(LogicalKey("alpha", K + 2), PostingFor(K + 2, 1));  // block K: whole
  w.Write(LogicalKey("alpha", K + 3), std::nullopt);          // deleted: left out of the put
  w.Write(LogicalKey("alpha", K + C + 72), PostingFor(K + C + 72, 2));  // block K, chunk 1
  w.Write(LogicalKey("beta", K + 12), std::nullopt);      // whole, nothing live: no write
  w.Write(LogicalKey("beta", 2 * K + 44), std::nullopt);  // block 2K: a deleted entry
  w.Write(keys::SearchDocKey(kModel, K + 2), "doc");      // not a posting: as it is
  w.Finish();
  ASSERT_EQ(merges.size(), 2u);
  EXPECT_EQ(merges[0].first, SegmentKeyOf(LogicalKey("alpha", 0)));
  EXPECT_EQ(Decode(merges[0].second), (Slots{{5, PostingFor(5, 1)}}));
  EXPECT_EQ(merges[1].first, SegmentKeyOf(LogicalKey("beta", 2 * K)));
  EXPECT_EQ(Decode(merges[1].second), (Slots{{44, std::nullopt}}));
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(puts[0].first, SegmentKeyOf(LogicalKey("alpha", K)));
  EXPECT_EQ(puts[0].second,
            Encode(Slots{{2, PostingFor(K + 2, 1)}, {C + 72, PostingFor(K + C + 72, 2)}}));
  EXPECT_EQ(puts[1], std::make_pair(keys::SearchDocKey(kModel, K + 2), std::string("doc")));
  EXPECT_TRUE(deletes.empty());
}

TEST(PostingSegmentsTest, WholeBlocksAreThoseEveryIdOfWhichWasCreated) {
  SearchPending p;
  for (uint64_t id = K - 28; id < 3 * K + 16; ++id) p.NoteCreated(kModel, id);  // blocks K, 2K
  for (uint64_t id = 0; id < K; ++id) {
    if (id != 64) p.NoteCreated(kModel + 1, 4 * K + id);  // one id short
  }
  p.NoteCreated(kModel + 1, 4 * K + 65);  // ... and a repeat does not make up for it
  using B = std::vector<std::pair<uint32_t, uint64_t>>;
  EXPECT_EQ(p.WholeBlocks(), (B{{kModel, K}, {kModel, 2 * K}}));
  p.SetSavePoint();
  p.NoteCreated(kModel + 1, 4 * K + 64);
  EXPECT_EQ(p.WholeBlocks(), (B{{kModel, K}, {kModel, 2 * K}, {kModel + 1, 4 * K}}));
  ASSERT_TRUE(p.RollbackToSavePoint());  // the creation is undone, the block no longer whole
  EXPECT_EQ(p.WholeBlocks(), (B{{kModel, K}, {kModel, 2 * K}}));
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
  // Block K: all but id K + 200 (created first, alone) by one transaction.
  ASSERT_OK(
      (*db)->Create("note", {{"id", Value::Id(K + 200)}, {"title", Value::String("keeper")}}));
  {
    auto txn = (*db)->BeginTransaction();
    for (uint64_t id = K; id < 2 * K; ++id) {
      if (id != K + 200) ASSERT_OK(create(*txn, id, "bulk words"));
    }
    ASSERT_OK(txn->Commit());
  }
  // Block 2K created by one transaction, its last id rolled back; another writer creates that
  // id before the transaction commits (as soon as the rolled-back creation's lock allows).
  const uint64_t last = 3 * K - 1;
  auto txn = (*db)->BeginTransaction();
  for (uint64_t id = 2 * K; id < last; ++id) ASSERT_OK(create(*txn, id, "bulk words"));
  txn->SetSavePoint();
  ASSERT_OK(create(*txn, last, "bulk words"));
  ASSERT_OK(txn->RollbackToSavePoint());
  auto other = std::async(std::launch::async, [&] {
    return (*db)->Create("note", {{"id", Value::Id(last)}, {"title", Value::String("other")}});
  });
  const bool created_first = other.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  ASSERT_OK(txn->Commit());
  auto made = other.get();
  ASSERT_OK(made);
  EXPECT_TRUE(created_first) << "the rolled-back creation still held the last id's lock";

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
  EXPECT_EQ(ids_of("keeper"), std::vector<uint64_t>{K + 200});
  EXPECT_EQ(ids_of("other"), std::vector<uint64_t>{last});
  ExpectCheckClean(**db);
  ASSERT_OK((*db)->Compact());
  EXPECT_EQ(ids_of("keeper"), std::vector<uint64_t>{K + 200});
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
  // Ids 1, 24, 47, ...: spread over 4 blocks and most of their chunks.
  auto id_of = [](uint64_t i) { return 1 + i * 23; };
  std::vector<WriteInput> batch;
  for (int i = 0; i < 700; ++i) {
    auto in = ParseWriteInputJson(**db, "note",
                                  R"({"id": ")" + std::to_string(id_of(i)) +
                                      R"(", "title": "word)" + std::to_string(i % 9) +
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
        uint64_t id = id_of(rng() % 700);
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
