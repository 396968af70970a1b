// Tests for the Analyzer: normalization, case and accent folding, segmentation of several
// scripts, stop words, stemming, positions, robustness against bad input and thread-safety.
#include "engine/search/analyzer.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace actiondb::search {
namespace {

std::vector<std::string> Terms(const Analyzer& analyzer, std::string_view text) {
  std::vector<std::string> terms;
  for (const Token& token : analyzer.Analyze(text)) terms.push_back(token.term);
  return terms;
}

std::vector<std::string> Surfaces(const Analyzer& analyzer, std::string_view text) {
  std::vector<std::string> surfaces;
  for (const AnalyzedWord& word : analyzer.AnalyzeWords(text)) surfaces.push_back(word.surface);
  return surfaces;
}

using Strings = std::vector<std::string>;

TEST(AnalyzerTest, FoldsCase) {
  Analyzer analyzer;
  EXPECT_EQ(analyzer.Fold("Hello WORLD"), "hello world");
  EXPECT_EQ(Terms(analyzer, "Hello WORLD"), Terms(analyzer, "hello world"));
}

TEST(AnalyzerTest, FoldsAccents) {
  Analyzer analyzer;
  EXPECT_EQ(analyzer.Fold("é"), "e");
  EXPECT_EQ(analyzer.Fold("Ä"), "a");
  EXPECT_EQ(analyzer.Fold("Café naïve Ångström Crème Brûlée"), "cafe naive angstrom creme brulee");
  // Decomposed input (e + combining acute) folds the same as precomposed.
  EXPECT_EQ(analyzer.Fold("Cafe\xCC\x81"), "cafe");
  EXPECT_EQ(Terms(analyzer, "résumé"), Terms(analyzer, "resume"));
}

// ASCII text takes a one-pass fold; text with any other character takes ICU's full
// pipeline. The two must agree on every ASCII character, controls and NUL included: an
// ASCII string folds the same alone (fast path) as with "é" appended (full path; "é" folds
// to "e" and cannot combine with what precedes it).
TEST(AnalyzerTest, AsciiFoldAgreesWithTheFullPipeline) {
  Analyzer analyzer;
  std::string all;
  for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(analyzer.Fold(all) + "e", analyzer.Fold(all + "é"));
  uint64_t x = 42;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    size_t length = round % 40;
    for (size_t i = 0; i < length; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      // Mostly letters, digits, space and punctuation; every ASCII byte now and then.
      const char* common = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 .,'-_:;!?\"\t\n";
      text.push_back((x >> 60) < 12 ? common[(x >> 33) % 49] : static_cast<char>((x >> 33) % 128));
    }
    ASSERT_EQ(analyzer.Fold(text) + "e", analyzer.Fold(text + "é")) << "round " << round;
  }
}

// Text of only ASCII digits, spaces, '-' and ':' (numbers and the date-times the search index
// writes) is cut into its digit runs without ICU; any other text goes through ICU's word
// rules. The two must agree: a text analyzes the same alone (fast path) as with " x" appended
// (ICU; the space keeps "x" a word of its own), but for that last word.
TEST(AnalyzerTest, DigitTextAgreesWithIcuSegmentation) {
  Analyzer analyzer;
  auto check = [&](const std::string& text) {
    const std::vector<AnalyzedWord> fast = analyzer.AnalyzeWords(text);
    std::vector<AnalyzedWord> icu = analyzer.AnalyzeWords(text + " x");
    ASSERT_FALSE(icu.empty()) << text;
    EXPECT_EQ(icu.back().surface, "x") << text;
    icu.pop_back();
    ASSERT_EQ(fast.size(), icu.size()) << "\"" << text << "\"";
    for (size_t i = 0; i < fast.size(); ++i) {
      EXPECT_EQ(fast[i].surface, icu[i].surface) << text;
      EXPECT_EQ(fast[i].term, icu[i].term) << text;
      EXPECT_EQ(fast[i].position, icu[i].position) << text;
      EXPECT_EQ(fast[i].kind, icu[i].kind) << text;
      EXPECT_EQ(fast[i].stop_word, icu[i].stop_word) << text;
    }
  };
  check("2024-01-05 10:00:00");
  check("-1234567");
  check("");
  check(" - : ");
  check(std::string(300, '7'));  // one word, cut to kMaxWordBytes by both
  EXPECT_EQ(analyzer.AnalyzeWords(std::string(300, '7'))[0].surface.size(), kMaxWordBytes);
  uint64_t x = 7;
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (size_t i = 0, length = round % 30; i < length; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      text.push_back("0123456789 -:"[(x >> 33) % 13]);
    }
    check(text);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(AnalyzerTest, FoldsSharpSToSs) {
  Analyzer analyzer;
  EXPECT_EQ(analyzer.Fold("ß"), "ss");
  EXPECT_EQ(analyzer.Fold("\xE1\xBA\x9E"), "ss");  // capital ẞ
  EXPECT_EQ(Terms(analyzer, "Straße"), Terms(analyzer, "STRASSE"));
  EXPECT_EQ(Terms(analyzer, "Straße"), Terms(analyzer, "strasse"));
}

TEST(AnalyzerTest, SpellsOutLatinLettersWithoutDecomposition) {
  Analyzer analyzer;
  EXPECT_EQ(analyzer.Fold("Øre Łódź Æsir Œuvre Þorn"), "ore lodz aesir oeuvre thorn");
  EXPECT_EQ(analyzer.Fold("İstanbul"), "istanbul");
}

TEST(AnalyzerTest, AppliesNfkc) {
  Analyzer analyzer;
  EXPECT_EQ(analyzer.Fold("\xEF\xAC\x81nance"), "finance");  // ﬁ ligature
  EXPECT_EQ(analyzer.Fold("\xEF\xBC\xA6\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C"), "full");  // Ｆｕｌｌ
  EXPECT_EQ(analyzer.Fold("\xE2\x91\xA0"), "1");                                         // ①
  EXPECT_EQ(Terms(analyzer, "\xEF\xAC\x81nance"), Terms(analyzer, "finance"));
  // Soft hyphen (a default-ignorable) disappears instead of splitting the word.
  EXPECT_EQ(Surfaces(analyzer,
                     "data\xC2\xAD"
                     "base"),
            Strings({"database"}));
}

TEST(AnalyzerTest, FoldIsIdempotent) {
  Analyzer analyzer;
  for (std::string_view text : {"Straße ﬁ Ｆｕｌｌ", "Crème Brûlée", "ΆΛΦΑ Ёлка", "東京タワー"}) {
    const std::string once = analyzer.Fold(text);
    EXPECT_EQ(analyzer.Fold(once), once) << text;
  }
}

TEST(AnalyzerTest, StemsEnglish) {
  Analyzer analyzer;
  EXPECT_EQ(Terms(analyzer, "running"), Strings({"run"}));
  EXPECT_EQ(Terms(analyzer, "searches"), Strings({"search"}));
  EXPECT_EQ(Terms(analyzer, "searching searched search"), Strings({"search", "search", "search"}));
  EXPECT_EQ(Terms(analyzer, "autocomplete"), Strings({"autocomplet"}));
  EXPECT_EQ(analyzer.Stem("ponies"), "poni");
}

TEST(AnalyzerTest, KeepsSurfaceFormNextToStem) {
  Analyzer analyzer;
  const std::vector<Token> tokens = analyzer.Analyze("Running searches");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], (Token{"run", 0, "running"}));
  EXPECT_EQ(tokens[1], (Token{"search", 1, "searches"}));
}

TEST(AnalyzerTest, HandlesApostrophes) {
  Analyzer analyzer;
  EXPECT_EQ(Terms(analyzer, "John's"), Strings({"john"}));
  EXPECT_EQ(Terms(analyzer, "John\xE2\x80\x99s"), Strings({"john"}));  // typographic ’
  EXPECT_EQ(Terms(analyzer, "don't"), Strings({"dont"}));
}

TEST(AnalyzerTest, DropsStopWordsButKeepsTheirPositions) {
  Analyzer analyzer;
  const std::vector<Token> tokens = analyzer.Analyze("The Bank of America is in the city");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].term, "bank");
  EXPECT_EQ(tokens[0].position, 1u);
  EXPECT_EQ(tokens[1].term, "america");
  EXPECT_EQ(tokens[1].position, 3u);
  EXPECT_EQ(tokens[2].term, "citi");
  EXPECT_EQ(tokens[2].position, 7u);
  EXPECT_TRUE(Analyzer::IsStopWord("the"));
  EXPECT_TRUE(Analyzer::IsStopWord("with"));
  EXPECT_FALSE(Analyzer::IsStopWord("not"));  // negation matters for search
  EXPECT_FALSE(Analyzer::IsStopWord("no"));
  EXPECT_FALSE(Analyzer::IsStopWord("will"));
  EXPECT_FALSE(Analyzer::IsStopWord("bank"));
  EXPECT_EQ(Terms(analyzer, "to be or not to be"), Strings({"not"}));
}

TEST(AnalyzerTest, AnalyzeWordsFlagsStopWords) {
  Analyzer analyzer;
  const std::vector<AnalyzedWord> words = analyzer.AnalyzeWords("the cat");
  ASSERT_EQ(words.size(), 2u);
  EXPECT_TRUE(words[0].stop_word);
  EXPECT_EQ(words[0].position, 0u);
  EXPECT_FALSE(words[1].stop_word);
  EXPECT_EQ(words[1].position, 1u);
}

TEST(AnalyzerTest, PositionsCountWordsNotPunctuation) {
  Analyzer analyzer;
  const std::vector<Token> tokens = analyzer.Analyze("  alpha, beta!!  -- gamma... delta ");
  ASSERT_EQ(tokens.size(), 4u);
  for (uint32_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].position, i);
  EXPECT_EQ(tokens[3].term, "delta");
}

TEST(AnalyzerTest, SplitsOnPunctuationAndKeepsNumbers) {
  Analyzer analyzer;
  EXPECT_EQ(Surfaces(analyzer, "e-mail foo/bar 3.14 (x)"),
            Strings({"e", "mail", "foo", "bar", "3.14", "x"}));
  const std::vector<AnalyzedWord> words = analyzer.AnalyzeWords("year 1999");
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[1].kind, WordKind::kNumber);
  EXPECT_EQ(words[1].term, "1999");
}

TEST(AnalyzerTest, TokenizesAndFoldsCyrillic) {
  Analyzer analyzer;
  // "Москва ПРИВЕТ мир" -> москва привет мир (not stemmed: the stemmer is English only).
  EXPECT_EQ(Terms(analyzer,
                  "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 "
                  "\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2 "
                  "\xD0\xBC\xD0\xB8\xD1\x80"),
            Strings({"москва", "привет", "мир"}));
  EXPECT_EQ(Terms(analyzer, "Ёлка"), Strings({"елка"}));  // ё -> е
  EXPECT_EQ(Terms(analyzer, "йод"), Strings({"йод"}));    // й keeps its breve
}

TEST(AnalyzerTest, TokenizesAndFoldsGreek) {
  Analyzer analyzer;
  EXPECT_EQ(Terms(analyzer, "Ελληνικά ΆΛΦΑ"), Strings({"ελληνικα", "αλφα"}));
  EXPECT_EQ(Terms(analyzer, "ΟΔΟΣ"), Terms(analyzer, "οδος"));  // final sigma folds to σ
}

TEST(AnalyzerTest, TokenizesCjkWithDictionaries) {
  Analyzer analyzer;
  const std::vector<AnalyzedWord> words = analyzer.AnalyzeWords("東京タワーに行きました 北京大学");
  ASSERT_GE(words.size(), 4u);
  for (const AnalyzedWord& word : words) {
    EXPECT_EQ(word.kind, WordKind::kIdeographic) << word.surface;
    EXPECT_FALSE(word.surface.empty());
  }
  EXPECT_EQ(words.front().surface, "東京タワー");
  EXPECT_EQ(words.back().surface, "大学");
  // Korean uses spaces and is alphabetic.
  EXPECT_EQ(Terms(analyzer, "한국어 텍스트"), Strings({"한국어", "텍스트"}));
}

TEST(AnalyzerTest, TokenizesArabicAndThai) {
  Analyzer analyzer;
  EXPECT_EQ(Terms(analyzer, "مرحبا بالعالم"), Strings({"مرحبا", "بالعالم"}));
  EXPECT_EQ(Terms(analyzer, "สวัสดีครับ"), Strings({"สวัสดี", "ครับ"}));
}

TEST(AnalyzerTest, IgnoresEmojiAndSymbols) {
  Analyzer analyzer;
  EXPECT_EQ(Terms(analyzer,
                  "I \xE2\x9D\xA4\xEF\xB8\x8F pizza \xF0\x9F\x8D\x95 "
                  "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7"),
            Strings({"i", "pizza"}));
  EXPECT_TRUE(analyzer.Analyze("\xF0\x9F\x8D\x95\xF0\x9F\x8D\x95 +-*/ \xE2\x82\xAC").empty());
}

TEST(AnalyzerTest, SurvivesInvalidUtf8) {
  Analyzer analyzer;
  EXPECT_EQ(Terms(analyzer,
                  "bad\xFF\xFE"
                  "bytes"),
            Strings({"bad", "byte"}));
  EXPECT_EQ(Terms(analyzer, "trunc\xC3"), Strings({"trunc"}));
  EXPECT_EQ(Terms(analyzer, "\xED\xA0\x80surrogate \xC0\xAF overlong"),
            Strings({"surrog", "overlong"}));
  EXPECT_TRUE(analyzer.Analyze(std::string_view("\x80\x80\xBF\xF8\xF5", 5)).empty());
  // Embedded NUL is a separator, not an end of string.
  EXPECT_EQ(Terms(analyzer, std::string_view("one\0two", 7)), Strings({"one", "two"}));
  // All byte values, in every order we try, analyze without crashing.
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (int rotation = 0; rotation < 256; rotation += 37) {
    std::string rotated = all.substr(rotation) + all.substr(0, rotation);
    for (const Token& token : analyzer.Analyze(rotated)) EXPECT_FALSE(token.term.empty());
  }
}

TEST(AnalyzerTest, EmptyAndBlankInput) {
  Analyzer analyzer;
  EXPECT_TRUE(analyzer.Analyze("").empty());
  EXPECT_TRUE(analyzer.Analyze("   \t\n ").empty());
  EXPECT_TRUE(analyzer.Analyze("!?,;.-").empty());
}

TEST(AnalyzerTest, TruncatesHugeWordsAtCodePointBoundary) {
  Analyzer analyzer;
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "\xC3\xA9";  // é x 200 folds to e x 200
  const std::vector<Token> folded = analyzer.Analyze(accented);
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_EQ(folded[0].term, std::string(kMaxWordBytes, 'e'));

  std::string cyrillic;
  for (int i = 0; i < 100; ++i) cyrillic += "\xD0\xB6";  // ж x 100 = 200 bytes
  const std::vector<Token> tokens = analyzer.Analyze(cyrillic);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].term.size(), kMaxWordBytes);
  EXPECT_EQ(CodePointCount(tokens[0].term), kMaxWordBytes / 2);
  // 201 bytes with an odd offset: the cut must not split a two-byte character.
  const std::vector<Token> odd = analyzer.Analyze("x" + cyrillic);
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_EQ(odd[0].term.size(), kMaxWordBytes - 1);
  EXPECT_EQ(odd[0].term.substr(0, 3), "x\xD0\xB6");
}

TEST(AnalyzerTest, LargeTextPositions) {
  Analyzer analyzer;
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "word" + std::to_string(i % 10) + " ";
  const std::vector<Token> tokens = analyzer.Analyze(text);
  ASSERT_EQ(tokens.size(), 5000u);
  EXPECT_EQ(tokens.back().position, 4999u);
}

TEST(AnalyzerTest, ConcurrentAnalyzeIsConsistent) {
  Analyzer analyzer;
  const std::string text = "Running searches über Straße 東京タワー Москва café 42";
  const std::vector<Token> expected = analyzer.Analyze(text);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (analyzer.Analyze(text) != expected) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : mismatches) EXPECT_EQ(count, 0);
}

TEST(AnalyzerTest, VersionAndFingerprint) {
  EXPECT_GE(kAnalyzerVersion, 1u);
  const std::string fingerprint = AnalyzerFingerprint();
  EXPECT_EQ(fingerprint.rfind("actiondb-analyzer/" + std::to_string(kAnalyzerVersion) + " icu/", 0),
            0u);
  EXPECT_NE(fingerprint.find("snowball/english"), std::string::npos);
}

TEST(AnalyzerTest, CodePointCount) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("caf\xC3\xA9"), 4u);
  EXPECT_EQ(CodePointCount("\xF0\x9F\x8D\x95"), 1u);
  EXPECT_EQ(CodePointCount("\xFF"
                           "a"),
            2u);
}

}  // namespace
}  // namespace actiondb::search
