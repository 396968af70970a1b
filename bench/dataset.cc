// The benchmark dataset generator and query-parameter generators (see dataset.h and
// shared/notes/perf-baseline.md §2 for the definition this file must follow exactly).
#include "bench/dataset.h"

#include <algorithm>
#include <cassert>
#include <unordered_map>

namespace actiondb::bench {
namespace {

constexpr char kConsonants[] = "bcdfghjklmnprstvwxyz";  // 20
constexpr char kVowels[] = "aeiou";                     // 5

// splitmix64's mixing of state + golden gamma: the output of a fresh generator seeded `x`.
uint64_t SplitMix64Output(uint64_t x) { return SplitMix64(x).Next(); }

void AppendWords(SplitMix64& rng, const Vocabulary& vocab, uint64_t count, std::string* out,
                 std::vector<uint32_t>* ranks) {
  for (uint64_t k = 0; k < count; ++k) {
    uint32_t rank = vocab.SampleZipf(rng);
    if (k > 0) out->push_back(' ');
    out->append(vocab.Word(rank));
    if (ranks != nullptr) ranks->push_back(rank);
  }
}

// Two distinct words with rank in [lo, hi] from one post (retrying successive posts).
TextQuery CooccurringPair(SplitMix64& rng, uint64_t dataset_size, uint32_t lo, uint32_t hi,
                          bool include_title) {
  const Vocabulary& vocab = Vocabulary::Get();
  for (;;) {
    PostWords words;
    GeneratePost(1 + rng.Uniform(dataset_size), &words);
    std::vector<uint32_t> candidates;
    auto add = [&](const std::vector<uint32_t>& ranks) {
      for (uint32_t r : ranks) {
        if (r >= lo && r <= hi &&
            std::find(candidates.begin(), candidates.end(), r) == candidates.end()) {
          candidates.push_back(r);
        }
      }
    };
    if (include_title) add(words.title);
    add(words.body);
    if (candidates.size() < 2) continue;
    size_t a = rng.Uniform(candidates.size());
    size_t b = rng.Uniform(candidates.size() - 1);
    if (b >= a) ++b;
    TextQuery q;
    q.words = {vocab.Word(candidates[a]), vocab.Word(candidates[b])};
    q.text = q.words[0] + " " + q.words[1];
    return q;
  }
}

TextQuery IndependentWords(SplitMix64& rng, int count, uint32_t lo, uint32_t hi) {
  const Vocabulary& vocab = Vocabulary::Get();
  TextQuery q;
  for (int k = 0; k < count; ++k) {
    q.words.push_back(vocab.Word(lo + static_cast<uint32_t>(rng.Uniform(hi - lo + 1))));
    if (k > 0) q.text.push_back(' ');
    q.text += q.words.back();
  }
  return q;
}

}  // namespace

SplitMix64 RecordRng(uint64_t id) {
  SplitMix64 rng(SplitMix64Output(0x5EEDULL ^ id));
  rng.Next();  // discarded
  return rng;
}

std::string MakeWord(uint32_t rank) {
  assert(rank < kVocabularySize);
  std::string word;
  for (uint32_t n = rank + 100; n > 0; n /= 100) {
    uint32_t d = n % 100;
    word.push_back(kConsonants[d / 5]);
    word.push_back(kVowels[d % 5]);
  }
  return word;
}

Vocabulary::Vocabulary() {
  words_.reserve(kVocabularySize);
  cdf_.reserve(kVocabularySize);
  double total = 0;
  for (uint32_t r = 0; r < kVocabularySize; ++r) {
    words_.push_back(MakeWord(r));
    total += 1.0 / (r + 1.0);
    cdf_.push_back(total);
  }
  for (double& c : cdf_) c /= total;
  cdf_.back() = 1.0;
  for (uint32_t r = 0; r < kVocabularySize; ++r) index_.emplace(words_[r], r);
}

const Vocabulary& Vocabulary::Get() {
  static const Vocabulary* const kVocabulary = new Vocabulary();
  return *kVocabulary;
}

std::optional<uint32_t> Vocabulary::RankOf(std::string_view word) const {
  auto it = index_.find(word);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

uint32_t Vocabulary::SampleZipf(SplitMix64& rng) const {
  double u = rng.NextDouble();
  // The first rank whose cumulative probability exceeds u.
  auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  if (it == cdf_.end()) --it;
  return static_cast<uint32_t>(it - cdf_.begin());
}

double Vocabulary::Probability(uint32_t rank) const {
  return rank == 0 ? cdf_[0] : cdf_[rank] - cdf_[rank - 1];
}

Post GeneratePost(uint64_t id, PostWords* words) {
  const Vocabulary& vocab = Vocabulary::Get();
  SplitMix64 rng = RecordRng(id);
  Post p;
  p.id = id;
  uint64_t title_len = 3 + rng.Uniform(6);
  AppendWords(rng, vocab, title_len, &p.title, words ? &words->title : nullptr);
  uint64_t body_len = 30 + rng.Uniform(51);
  AppendWords(rng, vocab, body_len, &p.body, words ? &words->body : nullptr);
  p.published = rng.Uniform(10) < 7;
  p.score = static_cast<int64_t>(rng.Uniform(kScoreDomain));
  p.author_id = 1 + rng.Uniform(kAuthorCount);
  p.created_at_ms = kCreatedAtBaseMs + static_cast<int64_t>(id - 1) * kCreatedAtStepMs +
                    static_cast<int64_t>(rng.Uniform(kCreatedAtStepMs));
  return p;
}

std::vector<Post> GenerateDataset(uint64_t count) {
  std::vector<Post> posts;
  posts.reserve(count);
  for (uint64_t id = 1; id <= count; ++id) posts.push_back(GeneratePost(id));
  return posts;
}

uint64_t RowChecksum(uint64_t id, std::string_view title, std::string_view body, bool published,
                     int64_t score, uint64_t author_id, int64_t created_at_ms,
                     int64_t updated_at_ms) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](uint64_t v) {
    h ^= v;
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  };
  auto text = [&mix](std::string_view s) {
    mix(s.size());
    mix(s.empty() ? 0
                  : (static_cast<uint64_t>(static_cast<unsigned char>(s.front())) << 8 |
                     static_cast<unsigned char>(s.back())));
  };
  mix(id);
  text(title);
  text(body);
  mix(published ? 1 : 0);
  mix(static_cast<uint64_t>(score));
  mix(author_id);
  mix(static_cast<uint64_t>(created_at_ms));
  mix(static_cast<uint64_t>(updated_at_ms));
  return h;
}

bool PostContainsWord(const Post& post, std::string_view word) {
  for (std::string_view text : {std::string_view(post.title), std::string_view(post.body)}) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find(' ', start);
      if (end == std::string_view::npos) end = text.size();
      if (text.substr(start, end - start) == word) return true;
      start = end + 1;
    }
  }
  return false;
}

std::vector<uint64_t> RandomIds(uint64_t seed, size_t n, uint64_t max_id) {
  SplitMix64 rng(seed);
  std::vector<uint64_t> ids(n);
  for (uint64_t& id : ids) id = 1 + rng.Uniform(max_id);
  return ids;
}

std::vector<uint64_t> RandomAuthors(uint64_t seed, size_t n) {
  return RandomIds(seed, n, kAuthorCount);
}

std::vector<int64_t> RandomScoreLows(uint64_t seed, size_t n) {
  SplitMix64 rng(seed);
  std::vector<int64_t> lows(n);
  for (int64_t& lo : lows) {
    lo = static_cast<int64_t>(rng.Uniform(kScoreDomain - kScoreRangeWidth + 1));
  }
  return lows;
}

const char* QueryClassName(QueryClass c) {
  switch (c) {
    case QueryClass::kRare1:
      return "1 rare word";
    case QueryClass::kMid1:
      return "1 mid word";
    case QueryClass::kCommon1:
      return "1 common word";
    case QueryClass::kRare2Cooc:
      return "2 rare words, co-occurring";
    case QueryClass::kMid2Cooc:
      return "2 mid words, co-occurring";
    case QueryClass::kMid2Indep:
      return "2 mid words, independent";
    case QueryClass::kCommon2Indep:
      return "2 common words, independent";
  }
  return "?";
}

std::vector<TextQuery> TextQueries(uint64_t seed, size_t n, QueryClass c, uint64_t dataset_size) {
  SplitMix64 rng(seed);
  std::vector<TextQuery> queries;
  queries.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    switch (c) {
      case QueryClass::kRare1:
        queries.push_back(IndependentWords(rng, 1, kRareRankLo, kRareRankHi));
        break;
      case QueryClass::kMid1:
        queries.push_back(IndependentWords(rng, 1, kMidRankLo, kMidRankHi));
        break;
      case QueryClass::kCommon1:
        queries.push_back(IndependentWords(rng, 1, kCommonRankLo, kCommonRankHi));
        break;
      case QueryClass::kRare2Cooc:
        queries.push_back(CooccurringPair(rng, dataset_size, kRareRankLo, kRareRankHi, true));
        break;
      case QueryClass::kMid2Cooc:
        queries.push_back(CooccurringPair(rng, dataset_size, kMidRankLo, kMidRankHi, false));
        break;
      case QueryClass::kMid2Indep:
        queries.push_back(IndependentWords(rng, 2, kMidRankLo, kMidRankHi));
        break;
      case QueryClass::kCommon2Indep:
        queries.push_back(IndependentWords(rng, 2, kCommonRankLo, kCommonRankHi));
        break;
    }
  }
  return queries;
}

std::string Typo(std::string_view word) {
  std::string typo(word);
  if (typo.size() >= 2) typo[1] = 'x';
  return typo;
}

}  // namespace actiondb::bench
