// Tests of the benchmark dataset: determinism, vocabulary shapes, value ranges and the measured
// sizes that the perf-baseline anchors were recorded with (perf-baseline.md §2).
#include "bench/dataset.h"

#include <gtest/gtest.h>

#include <set>

#include "bench/rocksdb_engine.h"

namespace actiondb::bench {
namespace {

TEST(VocabularyTest, WordShapes) {
  const Vocabulary& vocab = Vocabulary::Get();
  std::set<std::string> distinct;
  for (uint32_t r = 0; r < kVocabularySize; ++r) {
    const std::string& w = vocab.Word(r);
    EXPECT_EQ(w.size(), r < 9900 ? 4u : 6u) << "rank " << r;
    for (size_t k = 0; k < w.size(); ++k) {
      const char* alphabet = k % 2 == 0 ? "bcdfghjklmnprstvwxyz" : "aeiou";
      EXPECT_NE(std::string(alphabet).find(w[k]), std::string::npos) << w;
    }
    distinct.insert(w);
    ASSERT_EQ(vocab.RankOf(w), r);
  }
  EXPECT_EQ(distinct.size(), kVocabularySize);
  // rank 0 -> 100 -> digits (0, 1) -> "ba" + "be".
  EXPECT_EQ(vocab.Word(0), "babe");
  // rank 9899 -> 9999 -> digits (99, 99) -> "zu" + "zu"; rank 9900 -> 10000 -> (0, 0, 1).
  EXPECT_EQ(vocab.Word(9899), "zuzu");
  EXPECT_EQ(vocab.Word(9900), "bababe");
  EXPECT_FALSE(vocab.RankOf("bxbe").has_value());
  EXPECT_FALSE(vocab.RankOf(Typo(vocab.Word(1234))).has_value());
}

TEST(VocabularyTest, ZipfProbabilities) {
  const Vocabulary& vocab = Vocabulary::Get();
  EXPECT_NEAR(vocab.Probability(0) / vocab.Probability(9), 10.0, 1e-9);
  SplitMix64 rng(42);
  std::vector<int> counts(kVocabularySize);
  const int kDraws = 200000;
  for (int i = 0; i < kDraws; ++i) ++counts[vocab.SampleZipf(rng)];
  EXPECT_NEAR(counts[0] / static_cast<double>(kDraws), vocab.Probability(0), 0.005);
  EXPECT_NEAR(counts[1] / static_cast<double>(kDraws), vocab.Probability(1), 0.005);
}

TEST(DatasetTest, RecordDependsOnlyOnItsId) {
  std::vector<Post> seq = GenerateDataset(2000);
  for (uint64_t id : {1u, 2u, 777u, 2000u}) {
    EXPECT_EQ(seq[id - 1], GeneratePost(id));
    EXPECT_EQ(seq[id - 1].id, id);
  }
  // The same id generated twice, in any order, is identical.
  Post later = GeneratePost(1500000);
  EXPECT_EQ(GeneratePost(1500000), later);
  EXPECT_NE(GeneratePost(1).title + GeneratePost(1).body,
            GeneratePost(2).title + GeneratePost(2).body);
}

TEST(DatasetTest, Ranges) {
  std::vector<Post> posts = GenerateDataset(20000);
  int64_t prev_created = 0;
  uint64_t published = 0;
  for (const Post& p : posts) {
    auto count_words = [](const std::string& s) { return 1 + std::count(s.begin(), s.end(), ' '); };
    EXPECT_GE(count_words(p.title), 3);
    EXPECT_LE(count_words(p.title), 8);
    EXPECT_GE(count_words(p.body), 30);
    EXPECT_LE(count_words(p.body), 80);
    EXPECT_GE(p.score, 0);
    EXPECT_LT(p.score, kScoreDomain);
    EXPECT_GE(p.author_id, 1u);
    EXPECT_LE(p.author_id, kAuthorCount);
    int64_t slot = kCreatedAtBaseMs + static_cast<int64_t>(p.id - 1) * kCreatedAtStepMs;
    EXPECT_GE(p.created_at_ms, slot);
    EXPECT_LT(p.created_at_ms, slot + kCreatedAtStepMs);
    EXPECT_GT(p.created_at_ms, prev_created);
    prev_created = p.created_at_ms;
    published += p.published ? 1 : 0;
  }
  EXPECT_NEAR(published / 20000.0, 0.7, 0.015);
}

// The sizes the anchors were measured with: mean title+body 308.6 bytes, mean RocksDB value
// 346.6 bytes, over the first 100k records.
TEST(DatasetTest, MeasuredSizes) {
  double text_bytes = 0, value_bytes = 0;
  const uint64_t kN = 100000;
  for (uint64_t id = 1; id <= kN; ++id) {
    Post p = GeneratePost(id);
    text_bytes += static_cast<double>(p.title.size() + p.body.size());
    value_bytes += static_cast<double>(EncodePostValue(p).size());
  }
  EXPECT_NEAR(text_bytes / kN, 308.6, 308.6 * 0.01);
  EXPECT_NEAR(value_bytes / kN, 346.6, 346.6 * 0.01);
}

TEST(DatasetTest, ValueCodecRoundTrips) {
  Post p = GeneratePost(12345);
  Post decoded;
  ASSERT_TRUE(DecodePostValue(EncodePostValue(p), &decoded));
  EXPECT_EQ(decoded, p);
  EXPECT_FALSE(DecodePostValue(EncodePostValue(p).substr(0, 40), &decoded));
  EXPECT_EQ(PostKey(0x0102).size(), 9u);
  EXPECT_EQ(PostKey(0x0102)[0], 'p');
  EXPECT_EQ(PostKey(0x0102)[7], '\x01');
  EXPECT_EQ(PostKey(0x0102)[8], '\x02');
}

TEST(QueryParametersTest, DeterministicAndInClass) {
  const Vocabulary& vocab = Vocabulary::Get();
  EXPECT_EQ(RandomIds(7, 100, 1000), RandomIds(7, 100, 1000));
  for (uint64_t id : RandomIds(7, 1000, 1000)) {
    EXPECT_GE(id, 1u);
    EXPECT_LE(id, 1000u);
  }
  for (int64_t lo : RandomScoreLows(8, 1000)) {
    EXPECT_GE(lo, 0);
    EXPECT_LE(lo + kScoreRangeWidth, kScoreDomain);
  }
  auto rank = [&](const std::string& w) { return *vocab.RankOf(w); };
  for (const TextQuery& q : TextQueries(9, 50, QueryClass::kMid1, 10000)) {
    ASSERT_EQ(q.words.size(), 1u);
    EXPECT_GE(rank(q.words[0]), kMidRankLo);
    EXPECT_LE(rank(q.words[0]), kMidRankHi);
  }
  for (const TextQuery& q : TextQueries(10, 50, QueryClass::kCommon2Indep, 10000)) {
    ASSERT_EQ(q.words.size(), 2u);
    EXPECT_EQ(q.text, q.words[0] + " " + q.words[1]);
    for (const auto& w : q.words) EXPECT_LE(rank(w), kCommonRankHi);
  }
  // Co-occurring pairs always have at least one post containing both words.
  std::vector<Post> posts = GenerateDataset(10000);
  for (QueryClass c : {QueryClass::kMid2Cooc, QueryClass::kRare2Cooc}) {
    auto queries = TextQueries(11, 10, c, 10000);
    EXPECT_EQ(queries[3].text, TextQueries(11, 10, c, 10000)[3].text);
    for (const TextQuery& q : queries) {
      ASSERT_EQ(q.words.size(), 2u);
      EXPECT_NE(q.words[0], q.words[1]);
      bool found = false;
      for (const Post& p : posts) {
        found = found || (PostContainsWord(p, q.words[0]) && PostContainsWord(p, q.words[1]));
      }
      EXPECT_TRUE(found) << q.text;
    }
  }
}

TEST(DatasetTest, PostContainsWholeWordsOnly) {
  Post p;
  p.title = "baba bebe";
  p.body = "cici babab";
  EXPECT_TRUE(PostContainsWord(p, "baba"));
  EXPECT_TRUE(PostContainsWord(p, "bebe"));
  EXPECT_TRUE(PostContainsWord(p, "cici"));
  EXPECT_FALSE(PostContainsWord(p, "bab"));
  EXPECT_FALSE(PostContainsWord(p, "caca"));
}

}  // namespace
}  // namespace actiondb::bench
