// Tests for typo matching: the edit budgets, the automaton at every threshold (insertion,
// deletion, substitution, transposition), prefix mode, Unicode, and FuzzyExpand against a
// brute-force scan of a large dictionary with a reference OSA distance, counting cursor steps.
#include "engine/search/levenshtein.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace actiondb::search {
namespace {

// A sorted in-memory dictionary that counts how often it is moved.
class VectorCursor : public TermCursor {
 public:
  explicit VectorCursor(std::vector<std::string> terms) {
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    terms_ = std::make_shared<const std::vector<std::string>>(std::move(terms));
  }

  // A cursor over the same terms with its counters at zero.
  VectorCursor Fresh() const { return VectorCursor(terms_); }

  void Seek(std::string_view target) override {
    ++seeks_;
    pos_ = std::lower_bound(terms_->begin(), terms_->end(), target,
                            [](const std::string& a, std::string_view b) { return a < b; }) -
           terms_->begin();
  }
  bool Valid() const override { return pos_ < terms_->size(); }
  std::string_view term() const override { return (*terms_)[pos_]; }
  void Next() override {
    ++nexts_;
    ++pos_;
  }

  const std::vector<std::string>& terms() const { return *terms_; }
  size_t steps() const { return seeks_ + nexts_; }

 private:
  explicit VectorCursor(std::shared_ptr<const std::vector<std::string>> terms)
      : terms_(std::move(terms)) {}

  std::shared_ptr<const std::vector<std::string>> terms_;
  size_t pos_ = 0;
  size_t seeks_ = 0;
  size_t nexts_ = 0;
};

// Reference: restricted Damerau-Levenshtein (OSA) over code points, written independently of
// the library (plain DP over decoded std::u32string).
std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (i + static_cast<size_t>(len) > s.size()) len = 1;  // tests only decode valid UTF-8
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(c);
    i += len;
  }
  return out;
}

// The last row of the OSA table of `a` against `b`: row[j] = distance(a, b[0, j)). Reuses
// one buffer per thread, because the brute-force test calls it millions of times.
std::span<const int> ReferenceLastRow(const std::u32string& a, const std::u32string& b) {
  thread_local std::vector<int> d;
  const size_t w = b.size() + 1;
  d.assign((a.size() + 1) * w, 0);
  int* cell = d.data();
  for (size_t i = 0; i <= a.size(); ++i) cell[i * w] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) cell[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      int best = cell[(i - 1) * w + j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      best = std::min(best, cell[(i - 1) * w + j] + 1);
      best = std::min(best, cell[i * w + j - 1] + 1);
      if (i >= 2 && j >= 2 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, cell[(i - 2) * w + j - 2] + 1);
      }
      cell[i * w + j] = best;
    }
  }
  return std::span<const int>(d).subspan(a.size() * w);
}

int ReferenceOsa(std::string_view a, std::string_view b) {
  return ReferenceLastRow(Decode(a), Decode(b)).back();
}

// Prefix distance: the minimum over all prefixes of `term`.
int ReferencePrefixOsa(std::string_view query, std::string_view term) {
  const std::span<const int> row = ReferenceLastRow(Decode(query), Decode(term));
  return *std::min_element(row.begin(), row.end());
}

// The same DP restricted to what a budget of `k` edits can reach: only cells with |i - j| <= k
// (others are at least |i - j| > k), stopping once two consecutive rows are over budget (a cell
// reads at most two rows back). Returns the whole-term or, with `prefix`, the best-prefix
// distance, capped at k + 1. Fast enough to brute-force 50,000 terms per query.
int ReferenceBudgetedDistance(const std::u32string& a, const std::u32string& b, int k,
                              bool prefix) {
  thread_local std::vector<int> d;
  const size_t w = b.size() + 1;
  const int cap = k + 1;
  d.assign((a.size() + 1) * w, cap);
  int* cell = d.data();
  for (size_t j = 0; j <= b.size(); ++j) cell[j] = std::min(static_cast<int>(j), cap);
  bool previous_row_over = false;
  for (size_t i = 1; i <= a.size(); ++i) {
    cell[i * w] = std::min(static_cast<int>(i), cap);
    bool row_over = cell[i * w] > k;
    const size_t from = i > static_cast<size_t>(k) ? i - static_cast<size_t>(k) : 1;
    const size_t to = std::min(b.size(), i + static_cast<size_t>(k));
    for (size_t j = std::max<size_t>(from, 1); j <= to; ++j) {
      int best = cell[(i - 1) * w + j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      best = std::min(best, cell[(i - 1) * w + j] + 1);
      best = std::min(best, cell[i * w + j - 1] + 1);
      if (i >= 2 && j >= 2 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, cell[(i - 2) * w + j - 2] + 1);
      }
      cell[i * w + j] = std::min(best, cap);
      if (best <= k) row_over = false;
    }
    if (row_over && previous_row_over) return cap;
    previous_row_over = row_over;
  }
  const int* last = cell + a.size() * w;
  return prefix ? *std::min_element(last, last + w) : last[b.size()];
}

size_t RefCodePoints(std::string_view s) { return Decode(s).size(); }

std::set<std::string> MatchedTerms(const std::vector<FuzzyMatch>& matches) {
  std::set<std::string> out;
  for (const FuzzyMatch& match : matches) out.insert(match.term);
  return out;
}

// Does `query` (with the budget for its length) match `word` alone?
bool Matches(std::string_view query, std::string_view word, bool prefix = false) {
  VectorCursor cursor({std::string(word)});
  const int edits = MaxEditsForLength(RefCodePoints(query));
  return !FuzzyExpand(cursor, query, edits, prefix, 10).empty();
}

TEST(LevenshteinTest, MaxEditsForLength) {
  EXPECT_EQ(MaxEditsForLength(0), 0);
  EXPECT_EQ(MaxEditsForLength(1), 0);
  EXPECT_EQ(MaxEditsForLength(4), 0);
  EXPECT_EQ(MaxEditsForLength(5), 1);
  EXPECT_EQ(MaxEditsForLength(8), 1);
  EXPECT_EQ(MaxEditsForLength(9), 2);
  EXPECT_EQ(MaxEditsForLength(40), 2);
}

TEST(LevenshteinTest, OsaDistance) {
  EXPECT_EQ(OsaDistance("", ""), 0);
  EXPECT_EQ(OsaDistance("abc", ""), 3);
  EXPECT_EQ(OsaDistance("kitten", "sitting"), 3);
  EXPECT_EQ(OsaDistance("serach", "search"), 1);     // transposition
  EXPECT_EQ(OsaDistance("ca", "abc"), 3);            // OSA, not unrestricted Damerau (2)
  EXPECT_EQ(OsaDistance("caf\xC3\xA9", "cafe"), 1);  // one code point, not two bytes
  EXPECT_EQ(OsaDistance("\xE6\x9D\xB1\xE4\xBA\xAC", "\xE4\xBA\xAC\xE6\x9D\xB1"), 1);
}

TEST(LevenshteinTest, FourCharactersNeedExactMatch) {
  EXPECT_TRUE(Matches("cats", "cats"));
  EXPECT_FALSE(Matches("cats", "cat"));    // deletion
  EXPECT_FALSE(Matches("cats", "catss"));  // insertion
  EXPECT_FALSE(Matches("cats", "cots"));   // substitution
  EXPECT_FALSE(Matches("cats", "acts"));   // transposition
}

TEST(LevenshteinTest, FiveCharactersAllowOneEdit) {
  EXPECT_TRUE(Matches("hello", "hello"));
  EXPECT_TRUE(Matches("hello", "helo"));      // deletion
  EXPECT_TRUE(Matches("hello", "helllo"));    // insertion
  EXPECT_TRUE(Matches("hello", "hallo"));     // substitution
  EXPECT_TRUE(Matches("hello", "hlelo"));     // transposition
  EXPECT_FALSE(Matches("hello", "hlelp"));    // transposition + substitution
  EXPECT_FALSE(Matches("hello", "heo"));      // two deletions
  EXPECT_FALSE(Matches("hello", "hhelloo"));  // two insertions
  EXPECT_FALSE(Matches("hello", "jelly"));    // two substitutions
}

TEST(LevenshteinTest, EightCharactersAllowOneEdit) {
  EXPECT_TRUE(Matches("keyboard", "keyboard"));
  EXPECT_TRUE(Matches("keyboard", "keybord"));      // deletion
  EXPECT_TRUE(Matches("keyboard", "keyyboard"));    // insertion
  EXPECT_TRUE(Matches("keyboard", "keyboart"));     // substitution
  EXPECT_TRUE(Matches("keyboard", "keybaord"));     // transposition
  EXPECT_FALSE(Matches("keyboard", "kyeboadr"));    // two transpositions
  EXPECT_FALSE(Matches("keyboard", "keybrd"));      // two deletions
  EXPECT_FALSE(Matches("keyboard", "keyboardss"));  // two insertions
}

TEST(LevenshteinTest, NineCharactersAllowTwoEdits) {
  EXPECT_TRUE(Matches("wonderful", "wonderful"));
  EXPECT_TRUE(Matches("wonderful", "wondrful"));          // one deletion
  EXPECT_TRUE(Matches("wonderful", "wndrful"));           // two deletions
  EXPECT_TRUE(Matches("wonderful", "wonderfulll"));       // two insertions
  EXPECT_TRUE(Matches("wonderful", "wanderfal"));         // two substitutions
  EXPECT_TRUE(Matches("wonderful", "owndreful"));         // two transpositions
  EXPECT_TRUE(Matches("wonderful", "wnoderfl"));          // transposition + deletion
  EXPECT_FALSE(Matches("wonderful", "wndrfl"));           // three deletions
  EXPECT_FALSE(Matches("wonderful", "wanderfalx"));       // two substitutions + insertion
  EXPECT_FALSE(Matches("wonderful", "owndrefl"));         // two transpositions + deletion
  EXPECT_TRUE(Matches("sophisticated", "sofisticated"));  // 13 chars: ph -> f is two edits
  EXPECT_FALSE(Matches("sophisticated", "sofisticatd"));  // three
}

TEST(LevenshteinTest, UnicodeCodePointsAreCharacters) {
  // "crème" is 5 code points (6 bytes): one edit allowed, and é vs e is one substitution.
  EXPECT_TRUE(Matches("cr\xC3\xA8me", "creme"));
  EXPECT_TRUE(Matches("\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",         // москва
                      "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xB2\xD0\xBA\xD0\xB0"));       // мосвка
  EXPECT_FALSE(Matches("\xD0\xBC\xD0\xB8\xD1\x80", "\xD0\xBC\xD0\xB8\xD1\x81"));  // мир/мис
  // Astral characters are one character each.
  EXPECT_TRUE(
      Matches("ab\xF0\x9F\x8D\x95"
              "cd",
              "abcd"));
}

TEST(LevenshteinTest, ReportsDistanceAndBestFirst) {
  // "seerch" and "starch" are two edits away, "sear" two deletions.
  VectorCursor cursor({"search", "serach", "serachs", "seerch", "starch", "research", "sear"});
  const std::vector<FuzzyMatch> matches = FuzzyExpand(cursor, "serach", 1, false, 10);
  ASSERT_EQ(matches.size(), 3u);
  EXPECT_EQ(matches[0], (FuzzyMatch{"serach", 0, false}));
  EXPECT_EQ(matches[1], (FuzzyMatch{"search", 1, false}));
  EXPECT_EQ(matches[2], (FuzzyMatch{"serachs", 1, false}));
}

TEST(LevenshteinTest, LimitKeepsTheBest) {
  VectorCursor cursor({"aaaaab", "aaaaac", "aaaaa", "aaaad", "baaaa"});
  const std::vector<FuzzyMatch> matches = FuzzyExpand(cursor, "aaaaa", 1, false, 2);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0], (FuzzyMatch{"aaaaa", 0, false}));
  EXPECT_EQ(matches[1], (FuzzyMatch{"aaaaab", 1, false}));
  VectorCursor again({"aaaaa"});
  EXPECT_TRUE(FuzzyExpand(again, "aaaaa", 1, false, 0).empty());
}

TEST(LevenshteinTest, PrefixMode) {
  VectorCursor cursor({"autocomplet", "autocrat", "automat", "autumn", "aucom", "autocom",
                       "autcomplete", "autocam", "autocm", "bus"});
  const std::vector<FuzzyMatch> exact = FuzzyExpand(cursor, "autocom", 0, true, 10);
  EXPECT_EQ(MatchedTerms(exact), (std::set<std::string>{"autocom", "autocomplet"}));
  ASSERT_EQ(exact.size(), 2u);
  EXPECT_EQ(exact[0], (FuzzyMatch{"autocom", 0, false}));  // whole-term match first
  EXPECT_EQ(exact[1], (FuzzyMatch{"autocomplet", 0, true}));

  const std::vector<FuzzyMatch> fuzzy = FuzzyExpand(cursor, "autocom", 1, true, 10);
  // "aucom" (two deletions) and "autocrat" (closest prefix "autocr", two edits) stay out.
  EXPECT_EQ(MatchedTerms(fuzzy),
            (std::set<std::string>{"autocom", "autocomplet", "autcomplete", "autocam", "autocm"}));
  for (const FuzzyMatch& match : fuzzy) {
    EXPECT_EQ(match.distance, ReferencePrefixOsa("autocom", match.term)) << match.term;
  }
  // Without prefix mode only whole terms count.
  EXPECT_EQ(MatchedTerms(FuzzyExpand(cursor, "autocom", 1, false, 10)),
            (std::set<std::string>{"autocom", "autocam", "autocm"}));
}

TEST(LevenshteinTest, PrefixModeTransposedEnding) {
  // "serac" is a transposed prefix of "search": one edit.
  EXPECT_TRUE(Matches("serac", "search", /*prefix=*/true));
  EXPECT_FALSE(Matches("serac", "search", /*prefix=*/false));  // whole word is 2 edits away
  EXPECT_FALSE(Matches("srrac", "search", /*prefix=*/true));
}

TEST(LevenshteinTest, EmptyQueryAndEmptyDictionary) {
  VectorCursor empty(std::vector<std::string>{});
  EXPECT_TRUE(FuzzyExpand(empty, "anything", 2, true, 10).empty());
  VectorCursor words({"a", "b"});
  EXPECT_EQ(FuzzyExpand(words, "", 0, true, 10).size(), 2u);  // every term extends ""
  VectorCursor words2({"a", "b"});
  EXPECT_TRUE(FuzzyExpand(words2, "", 0, false, 10).empty());
}

TEST(LevenshteinTest, ClampsEditBudget) {
  VectorCursor cursor({"abcdefghij", "abcdefgxyz"});
  // 3 substitutions away; a budget of 5 is clamped to 2.
  EXPECT_EQ(MatchedTerms(FuzzyExpand(cursor, "abcdefghij", 5, false, 10)),
            (std::set<std::string>{"abcdefghij"}));
  VectorCursor again({"abc", "abd"});
  EXPECT_EQ(MatchedTerms(FuzzyExpand(again, "abc", -3, false, 10)), (std::set<std::string>{"abc"}));
}

TEST(LevenshteinTest, IllFormedTermsDoNotDerailTheWalk) {
  VectorCursor cursor({"abc\xFF", "abcd", std::string("ab\xC3", 3), "abce\x80", "abd", "zzz"});
  const std::set<std::string> found = MatchedTerms(FuzzyExpand(cursor, "abcd", 0, true, 10));
  EXPECT_EQ(found, (std::set<std::string>{"abcd"}));
  VectorCursor cursor2({"abc\xFF", "abcd", "abcd\xFF", "abcf"});
  const std::set<std::string> fuzzy = MatchedTerms(FuzzyExpand(cursor2, "abcde", 1, false, 10));
  EXPECT_EQ(fuzzy, (std::set<std::string>{"abcd", "abcd\xFF"}));
}

// Generates pronounceable-ish words so neighbours share prefixes like a real dictionary.
std::vector<std::string> GenerateDictionary(size_t count, std::mt19937& rng) {
  static const std::vector<std::string> kSyllables = {
      "ka", "ri", "to", "men", "sa", "lo", "ber",      "un",      "qui",
      "te", "ra", "no", "vi",  "ex", "an", "do",       "el",      "ston",
      "ph", "y",  "ch", "ar",  "is", "ou", "\xC3\xA9", "\xD0\xB6"};
  std::uniform_int_distribution<size_t> syllable(0, kSyllables.size() - 1);
  std::uniform_int_distribution<int> length(1, 6);
  std::set<std::string> words;
  while (words.size() < count) {
    std::string word;
    const int n = length(rng);
    for (int i = 0; i < n; ++i) word += kSyllables[syllable(rng)];
    words.insert(word);
  }
  return {words.begin(), words.end()};
}

// Mutates a word by up to `edits` random edits (insert, delete, substitute, transpose).
std::string Mutate(std::string word, int edits, std::mt19937& rng) {
  static const std::string kLetters = "abdeiklmnorstuvxyz";
  std::u32string chars = Decode(word);
  for (int e = 0; e < edits; ++e) {
    const int kind = std::uniform_int_distribution<int>(0, 3)(rng);
    const size_t pos = std::uniform_int_distribution<size_t>(0, chars.size())(rng);
    const char32_t letter = kLetters[std::uniform_int_distribution<size_t>(0, 17)(rng)];
    if (kind == 0) {
      chars.insert(chars.begin() + static_cast<std::ptrdiff_t>(pos), letter);
    } else if (kind == 1 && pos < chars.size()) {
      chars.erase(chars.begin() + static_cast<std::ptrdiff_t>(pos));
    } else if (kind == 2 && pos < chars.size()) {
      chars[pos] = letter;
    } else if (pos + 1 < chars.size()) {
      std::swap(chars[pos], chars[pos + 1]);
    }
  }
  std::string out;
  for (char32_t c : chars) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

TEST(LevenshteinTest, FuzzyExpandEqualsBruteForceAndSeeksPastMostOfTheDictionary) {
  std::mt19937 rng(20240611);
  VectorCursor dictionary(GenerateDictionary(50000, rng));
  const std::vector<std::string>& terms = dictionary.terms();
  ASSERT_EQ(terms.size(), 50000u);
  std::vector<std::u32string> decoded;
  for (const std::string& term : terms) decoded.push_back(Decode(term));

  size_t total_matches = 0;
  size_t max_steps = 0;
  size_t total_steps = 0;
  const int kQueries = 300;
  for (int q = 0; q < kQueries; ++q) {
    const std::string& base =
        terms[std::uniform_int_distribution<size_t>(0, terms.size() - 1)(rng)];
    const std::string query = Mutate(base, std::uniform_int_distribution<int>(0, 2)(rng), rng);
    const bool prefix = q % 3 == 0;
    const int edits = MaxEditsForLength(RefCodePoints(query));
    SCOPED_TRACE("query=" + query + " edits=" + std::to_string(edits) +
                 " prefix=" + std::to_string(prefix));

    // Brute force over the whole dictionary. Skipping terms whose length alone puts them out of
    // reach is exact: every edit changes the length by at most one.
    const std::u32string query32 = Decode(query);
    std::set<std::string> expected;
    for (size_t t = 0; t < terms.size(); ++t) {
      const auto len = static_cast<long>(decoded[t].size());
      const auto qlen = static_cast<long>(query32.size());
      if (len < qlen - edits || (!prefix && len > qlen + edits)) continue;
      if (ReferenceBudgetedDistance(query32, decoded[t], edits, prefix) <= edits) {
        expected.insert(terms[t]);
      }
    }

    VectorCursor cursor = dictionary.Fresh();
    const std::vector<FuzzyMatch> matches =
        FuzzyExpand(cursor, query, edits, prefix, std::numeric_limits<size_t>::max());
    EXPECT_EQ(MatchedTerms(matches), expected);
    for (const FuzzyMatch& match : matches) {
      const int whole = ReferenceOsa(query, match.term);
      const int d = prefix ? ReferencePrefixOsa(query, match.term) : whole;
      EXPECT_EQ(match.distance, d) << match.term;
      EXPECT_EQ(match.prefix_match, prefix && whole > d) << match.term;
    }
    EXPECT_TRUE(std::is_sorted(matches.begin(), matches.end(),
                               [](const FuzzyMatch& a, const FuzzyMatch& b) {
                                 if (a.distance != b.distance) return a.distance < b.distance;
                                 if (a.prefix_match != b.prefix_match) return !a.prefix_match;
                                 return a.term < b.term;
                               }));

    total_matches += matches.size();
    total_steps += cursor.steps();
    max_steps = std::max(max_steps, cursor.steps());
    // Each query reads far fewer terms than the dictionary holds.
    EXPECT_LT(cursor.steps(), terms.size() / 5) << "steps=" << cursor.steps();
  }
  RecordProperty("average_steps", static_cast<int>(total_steps / kQueries));
  RecordProperty("max_steps", static_cast<int>(max_steps));
  RecordProperty("total_matches", static_cast<int>(total_matches));
  EXPECT_GT(total_matches, static_cast<size_t>(kQueries));  // the queries do find things
  // On average, well under 2% of a scan (about 700 steps for 50,000 terms when written).
  EXPECT_LT(total_steps / kQueries, terms.size() / 50)
      << "average steps " << total_steps / kQueries << ", max " << max_steps;
}

// Queries of 64 code points and more step the automaton's liveness check through an allocated
// row instead of the inline one, and the walk keeps one row of that width per character: every
// edit kind, prefix mode and a multi-byte character at both ends, against the brute force.
TEST(LevenshteinTest, QueriesLongerThanTheInlineRowMatchLikeShortOnes) {
  std::mt19937 rng(64);
  const std::string base = "\xC3\xA9" + std::string("abcdefghijklmnopqrstuvwxyz") +
                           "abcdefghijklmnopqrstuvwxyz" + "0123456789ab" + "\xC3\xA9";  // 66
  ASSERT_EQ(RefCodePoints(base), 66u);
  std::vector<std::string> terms = {base, base + "zz", base.substr(0, 30)};
  for (int i = 0; i < 400; ++i) {
    terms.push_back(Mutate(base, std::uniform_int_distribution<int>(1, 3)(rng), rng));
    terms.push_back(Mutate(base, 1, rng) + "tail");
  }
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  const std::u32string query32 = Decode(base);
  for (bool prefix : {false, true}) {
    for (int edits : {1, 2}) {
      SCOPED_TRACE("edits=" + std::to_string(edits) + " prefix=" + std::to_string(prefix));
      std::set<std::string> expected;
      for (const std::string& t : terms) {
        if (ReferenceBudgetedDistance(query32, Decode(t), edits, prefix) <= edits) {
          expected.insert(t);
        }
      }
      VectorCursor cursor(terms);
      const std::vector<FuzzyMatch> matches =
          FuzzyExpand(cursor, base, edits, prefix, std::numeric_limits<size_t>::max());
      EXPECT_EQ(MatchedTerms(matches), expected);
      EXPECT_GT(expected.size(), 3u);            // the mutations reach some terms
      EXPECT_LT(expected.size(), terms.size());  // and the budget excludes others
      for (const FuzzyMatch& match : matches) {
        const int whole = ReferenceOsa(base, match.term);
        EXPECT_EQ(match.distance, prefix ? ReferencePrefixOsa(base, match.term) : whole)
            << match.term;
      }
    }
  }
}

TEST(LevenshteinTest, LongQueryWithTwoEditsStaysCheap) {
  std::mt19937 rng(7);
  VectorCursor dictionary(GenerateDictionary(50000, rng));
  VectorCursor cursor = dictionary.Fresh();
  const std::vector<FuzzyMatch> matches =
      FuzzyExpand(cursor, "kariberstonmen", 2, false, std::numeric_limits<size_t>::max());
  for (const FuzzyMatch& match : matches) {
    EXPECT_LE(ReferenceOsa("kariberstonmen", match.term), 2);
  }
  EXPECT_LT(cursor.steps(), 2000u);
}

// A cursor over a superset of the dictionary: it shows every term of `all`, and CheckLive
// says which are in `live` (as the in-memory dictionary does for terms whose count fell to 0).
class SupersetCursor : public TermCursor {
 public:
  SupersetCursor(std::vector<std::string> all, std::set<std::string> live)
      : inner_(std::move(all)), live_(std::move(live)) {}
  void Seek(std::string_view target) override { inner_.Seek(target); }
  bool Valid() const override { return inner_.Valid(); }
  std::string_view term() const override { return inner_.term(); }
  void Next() override { inner_.Next(); }
  void CheckLive(const std::vector<std::string_view>& terms, std::vector<bool>* live) override {
    ++batches_;
    max_batch_ = std::max(max_batch_, terms.size());
    live->clear();
    for (std::string_view t : terms) live->push_back(live_.count(std::string(t)) > 0);
  }
  size_t batches() const { return batches_; }
  size_t max_batch() const { return max_batch_; }

 private:
  VectorCursor inner_;
  std::set<std::string> live_;
  size_t batches_ = 0;
  size_t max_batch_ = 0;
};

// Stale terms (shown by the cursor, not live) never appear and never take one of the `limit`
// places, also when the accepted terms span several confirmation batches: the result equals
// the walk over the live terms alone.
TEST(LevenshteinTest, FuzzyExpandConfirmsAcceptedTermsInBatches) {
  std::vector<std::string> all;
  std::set<std::string> live;
  for (int i = 0; i < 1500; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "ab%04d", i);
    all.push_back(buf);
    if (i % 3 != 0) live.insert(buf);  // every third term is stale
  }
  all.push_back("abc");
  live.insert("abc");
  for (size_t limit : {size_t{5}, size_t{64}, size_t{2000}}) {
    SupersetCursor superset(all, live);
    VectorCursor only_live(std::vector<std::string>(live.begin(), live.end()));
    // Prefix mode: every term extends "ab", so all 1,501 are accepted.
    std::vector<FuzzyMatch> got = FuzzyExpand(superset, "ab", 1, true, limit);
    std::vector<FuzzyMatch> want = FuzzyExpand(only_live, "ab", 1, true, limit);
    EXPECT_EQ(got, want) << "limit " << limit;
    EXPECT_EQ(got.size(), std::min(limit, live.size()));
    for (const auto& m : got) EXPECT_TRUE(live.count(m.term)) << m.term;
    EXPECT_GE(superset.batches(), 5u);  // 1,501 accepted terms, at most 256 per batch
    EXPECT_LE(superset.max_batch(), 256u);
  }
}

TEST(LevenshteinTest, AutomatonStepsDirectly) {
  const LevenshteinAutomaton automaton("abc", 1, false);
  LevenshteinAutomaton::State state = automaton.Start();
  EXPECT_TRUE(automaton.CanMatch(state));
  EXPECT_FALSE(automaton.IsMatch(state));
  for (char32_t c : std::u32string(U"ab")) state = automaton.Step(state, c);
  EXPECT_TRUE(automaton.IsMatch(state));  // "ab" is one deletion from "abc"
  EXPECT_EQ(automaton.Result(state).distance, 1);
  // After "ab" the smallest live characters above 'c' are the "other" class (one substitution).
  EXPECT_EQ(automaton.NextLiveChar(state, U'c'), U'd');
  state = automaton.Step(automaton.Step(state, U'x'), U'y');
  EXPECT_FALSE(automaton.CanMatch(state));
  EXPECT_EQ(automaton.NextLiveChar(automaton.Start(), 0x10FFFF), char32_t{0x110000});
}

}  // namespace
}  // namespace actiondb::search
