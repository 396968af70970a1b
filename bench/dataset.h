// The benchmark dataset: deterministic "post" records and the query parameters the workloads
// use, exactly as defined in docs/benchmarks.md and shared/notes/perf-baseline.md §2, so that
// figures are comparable with the recorded SQLite and raw-RocksDB anchors.
//
// Record i (id = i, 1-based) depends only on i: the 100k dataset is the first 100k records of
// the 1M dataset, and any record can be regenerated alone (the workload driver does so to check
// engine answers). Query parameters come from fixed-seed RNGs and are computed before any timed
// loop.
//
// Thread-safety: everything here is safe to call from several threads at once (the vocabulary
// is built once, on first use, under a function-local static).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace actiondb::bench {

inline constexpr uint32_t kVocabularySize = 20000;
inline constexpr uint64_t kAuthorCount = 10000;             // authorId is uniform in [1, 10000]
inline constexpr int64_t kScoreDomain = 1000000;            // score is uniform in [0, 1,000,000)
inline constexpr int64_t kCreatedAtBaseMs = 1577836800000;  // 2020-01-01T00:00:00Z
inline constexpr int64_t kCreatedAtStepMs = 30000;          // createdAt advances 30 s per id
inline constexpr int64_t kScoreRangeWidth = 10000;          // workload d: [lo, lo + 9999]

// Query-word classes by vocabulary rank (ranks are Zipf ranks: 0 is the most frequent word).
inline constexpr uint32_t kCommonRankLo = 10, kCommonRankHi = 99;    // ~12% of docs each at 100k
inline constexpr uint32_t kMidRankLo = 100, kMidRankHi = 4999;       // ~0.2% of docs each
inline constexpr uint32_t kRareRankLo = 10000, kRareRankHi = 19999;  // ~0.01% of docs each

// The splitmix64 generator (Steele, Lea, Flood 2014), the one RNG of the benchmark.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // `Next() % n`, the dataset's integer draw (n > 0; the modulo bias is part of the definition).
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // A double in [0, 1) from the top 53 bits of one draw.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// The RNG of record `id`: its state is the splitmix64 output for input (0x5EED ^ id), and one
// draw has been discarded.
SplitMix64 RecordRng(uint64_t id);

// The word with Zipf rank `rank` (< kVocabularySize): the base-100 digits of (rank + 100), least
// significant first, each digit d spelled "bcdfghjklmnprstvwxyz"[d / 5] + "aeiou"[d % 5].
// Ranks 0-9899 give 4-letter words, ranks 9900-19999 6-letter words; all are distinct.
std::string MakeWord(uint32_t rank);

// The 20,000-word vocabulary and its Zipf (s = 1.0) sampler.
class Vocabulary {
 public:
  static const Vocabulary& Get();  // built once

  const std::string& Word(uint32_t rank) const { return words_[rank]; }
  // The rank of `word`, or nullopt when it is not a vocabulary word.
  std::optional<uint32_t> RankOf(std::string_view word) const;
  // One Zipf draw: P(r) ∝ 1/(r+1), by inverse CDF with binary search over one NextDouble().
  uint32_t SampleZipf(SplitMix64& rng) const;
  // P(rank) of one draw.
  double Probability(uint32_t rank) const;

 private:
  Vocabulary();
  std::vector<std::string> words_;
  std::vector<double> cdf_;  // cdf_[r] = P(rank <= r); cdf_.back() == 1
  std::unordered_map<std::string_view, uint32_t> index_;  // views into words_
};

// A "post" record. updatedAt equals createdAt and is not stored separately here.
struct Post {
  uint64_t id = 0;
  std::string title;  // 3-8 words separated by single spaces
  std::string body;   // 30-80 words separated by single spaces
  bool published = false;
  int64_t score = 0;
  uint64_t author_id = 0;
  int64_t created_at_ms = 0;

  bool operator==(const Post&) const = default;
};

// The vocabulary ranks of a post's words, in order (for query-parameter generation).
struct PostWords {
  std::vector<uint32_t> title;
  std::vector<uint32_t> body;
};

// Record `id` (>= 1). Draw order: title length, title words, body length, body words,
// published, score, authorId, createdAt jitter. `words`, when given, receives the ranks.
Post GeneratePost(uint64_t id, PostWords* words = nullptr);
// Records 1..count, in id order.
std::vector<Post> GenerateDataset(uint64_t count);

// The checksum an engine computes over the fields it read for one record: id, score, authorId,
// createdAt, updatedAt, published, and the length, first and last byte of title and body. Cheap
// on purpose (it must not dominate a point get), yet any mis-decoded field changes it.
uint64_t RowChecksum(uint64_t id, std::string_view title, std::string_view body, bool published,
                     int64_t score, uint64_t author_id, int64_t created_at_ms,
                     int64_t updated_at_ms);
inline uint64_t PostChecksum(const Post& p) {
  return RowChecksum(p.id, p.title, p.body, p.published, p.score, p.author_id, p.created_at_ms,
                     p.created_at_ms);
}

// True when `word` is one of the space-separated tokens of the post's title or body.
bool PostContainsWord(const Post& post, std::string_view word);

// ---- Query parameters (all deterministic in their seed) ----

// `n` ids uniform in [1, max_id].
std::vector<uint64_t> RandomIds(uint64_t seed, size_t n, uint64_t max_id);
// `n` authorIds uniform in [1, kAuthorCount].
std::vector<uint64_t> RandomAuthors(uint64_t seed, size_t n);
// `n` lower bounds lo uniform in [0, kScoreDomain - kScoreRangeWidth]; the range is
// [lo, lo + kScoreRangeWidth - 1].
std::vector<int64_t> RandomScoreLows(uint64_t seed, size_t n);

// Full-text query classes (perf-baseline §2 e, plus rare words).
enum class QueryClass {
  kRare1,         // 1 word, rank uniform in [10000, 19999]
  kMid1,          // 1 word, rank uniform in [100, 4999]
  kCommon1,       // 1 word, rank uniform in [10, 99]
  kRare2Cooc,     // 2 distinct rare words taken from the title+body of one random post
  kMid2Cooc,      // 2 distinct mid words taken from the body of one random post (>= 1 hit)
  kMid2Indep,     // 2 mid words drawn independently (usually 0 hits below 1M)
  kCommon2Indep,  // 2 common words drawn independently
};
const char* QueryClassName(QueryClass c);

struct TextQuery {
  std::vector<std::string> words;  // all must match (AND)
  std::string text;                // the words joined by one space
};
// `n` queries of class `c`; co-occurring classes draw their post among ids [1, dataset_size].
std::vector<TextQuery> TextQueries(uint64_t seed, size_t n, QueryClass c, uint64_t dataset_size);

// A typo'd form of a vocabulary word: its second letter (always a vowel) replaced by 'x'.
// One substitution away from the word, and never itself a vocabulary word.
std::string Typo(std::string_view word);

}  // namespace actiondb::bench
