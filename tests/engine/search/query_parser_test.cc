// Tests for ParseSearchQuery: every syntax form (terms, phrases, exclusions, prefix), typo
// budgets, and the edge cases (empty, punctuation-only, unbalanced quotes, bad bytes).
#include "engine/search/query_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "engine/search/levenshtein.h"

namespace actiondb::search {
namespace {

class QueryParserTest : public ::testing::Test {
 protected:
  SearchQuery Parse(std::string_view query) { return ParseSearchQuery(query, analyzer_); }

  static QueryPhrase Phrase(std::vector<std::pair<std::string, uint32_t>> terms) {
    QueryPhrase phrase;
    for (auto& [term, position] : terms) phrase.tokens.push_back(Token{term, position, ""});
    return phrase;
  }

  // Phrase tokens without their surface forms, for comparisons.
  static QueryPhrase Stems(QueryPhrase phrase) {
    for (Token& token : phrase.tokens) token.surface.clear();
    return phrase;
  }

  Analyzer analyzer_;
};

TEST_F(QueryParserTest, TermsAreAndedAndAnalyzed) {
  const SearchQuery q = Parse("Running Searches ");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_EQ(q.terms[0], (QueryTerm{"running", "run", 1, false}));
  EXPECT_EQ(q.terms[1], (QueryTerm{"searches", "search", 1, false}));
  EXPECT_TRUE(q.phrases.empty());
  EXPECT_TRUE(q.excluded.empty());
  EXPECT_FALSE(q.empty());
}

TEST_F(QueryParserTest, LastWordIsPrefixOnlyWhenQueryEndsInIt) {
  SearchQuery q = Parse("fast autocom");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_FALSE(q.terms[0].prefix);
  EXPECT_EQ(q.terms[1], (QueryTerm{"autocom", "autocom", 1, true}));

  q = Parse("fast autocom ");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_FALSE(q.terms[1].prefix);

  q = Parse("autocom,");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_FALSE(q.terms[0].prefix);

  q = Parse("caf\xC3\xA9");  // ends in a letter after folding too
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_TRUE(q.terms[0].prefix);
  EXPECT_EQ(q.terms[0].text, "cafe");

  q = Parse("e-ma");  // only the last word of the last piece
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_FALSE(q.terms[0].prefix);
  EXPECT_TRUE(q.terms[1].prefix);
}

TEST_F(QueryParserTest, NoPrefixInsideQuotesOrExclusions) {
  SearchQuery q = Parse("alpha \"beta gamma\"");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_FALSE(q.terms[0].prefix);
  q = Parse("alpha !beta");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_FALSE(q.terms[0].prefix);
  EXPECT_EQ(q.excluded, std::vector<std::string>({"beta"}));
}

TEST_F(QueryParserTest, StopWordsDroppedExceptAsTrailingPrefix) {
  SearchQuery q = Parse("the bank of america ");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_EQ(q.terms[0].term, "bank");
  EXPECT_EQ(q.terms[1].term, "america");

  q = Parse("movies the");  // "the" may be becoming "theme"
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_EQ(q.terms[1], (QueryTerm{"the", "the", 0, true}));

  q = Parse("the of and ");
  EXPECT_TRUE(q.empty());
}

TEST_F(QueryParserTest, TypoBudgets) {
  const SearchQuery q =
      Parse("cats kitty kittens sophisticated 12345678 \xE5\x8C\x97\xE4\xBA\xAC ");
  ASSERT_EQ(q.terms.size(), 6u);
  EXPECT_EQ(q.terms[0].max_edits, 0);  // 4 code points
  EXPECT_EQ(q.terms[1].max_edits, 1);  // 5
  EXPECT_EQ(q.terms[2].max_edits, 1);  // 7
  EXPECT_EQ(q.terms[3].max_edits, 2);  // 13
  EXPECT_EQ(q.terms[4].max_edits, 0);  // numbers: exact
  EXPECT_EQ(q.terms[5].max_edits, 0);  // CJK: exact
  // The budget counts code points of the folded word, not bytes.
  const SearchQuery accented = Parse("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 ");  // éééé
  ASSERT_EQ(accented.terms.size(), 1u);
  EXPECT_EQ(accented.terms[0].max_edits, 0);
}

TEST_F(QueryParserTest, Phrases) {
  const SearchQuery q = Parse("\"The Quick brown\" fox");
  ASSERT_EQ(q.phrases.size(), 1u);
  EXPECT_EQ(Stems(q.phrases[0]), Phrase({{"quick", 0}, {"brown", 1}}));
  EXPECT_EQ(q.phrases[0].tokens[0].surface, "quick");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_EQ(q.terms[0].term, "fox");
}

TEST_F(QueryParserTest, PhraseStopWordsLeaveGaps) {
  const SearchQuery q = Parse("\"bank of america\"");
  ASSERT_EQ(q.phrases.size(), 1u);
  EXPECT_EQ(Stems(q.phrases[0]), Phrase({{"bank", 0}, {"america", 2}}));
  EXPECT_TRUE(q.terms.empty());
  EXPECT_FALSE(q.empty());
}

TEST_F(QueryParserTest, PhrasesAreStemmed) {
  const SearchQuery q = Parse("\"running searches\"");
  ASSERT_EQ(q.phrases.size(), 1u);
  EXPECT_EQ(Stems(q.phrases[0]), Phrase({{"run", 0}, {"search", 1}}));
}

TEST_F(QueryParserTest, UnbalancedQuoteRunsToEnd) {
  SearchQuery q = Parse("alpha \"beta gamma");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_EQ(q.terms[0].term, "alpha");
  ASSERT_EQ(q.phrases.size(), 1u);
  EXPECT_EQ(Stems(q.phrases[0]), Phrase({{"beta", 0}, {"gamma", 1}}));

  q = Parse("alpha \"");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_TRUE(q.phrases.empty());

  q = Parse("\"\"\"");
  EXPECT_TRUE(q.empty());
}

TEST_F(QueryParserTest, QuoteInsideWordStartsPhrase) {
  const SearchQuery q = Parse("foo\"bar baz\"qux");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_EQ(q.terms[0].term, "foo");
  EXPECT_EQ(q.terms[1].term, "qux");
  EXPECT_TRUE(q.terms[1].prefix);
  ASSERT_EQ(q.phrases.size(), 1u);
  EXPECT_EQ(Stems(q.phrases[0]), Phrase({{"bar", 0}, {"baz", 1}}));
}

TEST_F(QueryParserTest, TypographicQuotes) {
  const SearchQuery q = Parse("\xE2\x80\x9Csmart quotes\xE2\x80\x9D now ");
  ASSERT_EQ(q.phrases.size(), 1u);
  EXPECT_EQ(Stems(q.phrases[0]), Phrase({{"smart", 0}, {"quot", 1}}));
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_EQ(q.terms[0].term, "now");
  // Full-width quote and exclamation mark are NFKC-folded to ASCII syntax.
  const SearchQuery wide = Parse(
      "\xEF\xBC\x81"
      "foo \xEF\xBC\x82"
      "a b\xEF\xBC\x82");
  EXPECT_EQ(wide.excluded, std::vector<std::string>({"foo"}));
  ASSERT_EQ(wide.phrases.size(), 1u);
}

TEST_F(QueryParserTest, Exclusions) {
  const SearchQuery q = Parse("apple !banana !!cherries !banana");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_EQ(q.terms[0].term, "appl");
  EXPECT_EQ(q.excluded, std::vector<std::string>({"banana", "cherri"}));
}

TEST_F(QueryParserTest, ExcludedPhrases) {
  const SearchQuery q = Parse("apple !\"green apple\" !e-mail");
  ASSERT_EQ(q.terms.size(), 1u);
  ASSERT_EQ(q.excluded_phrases.size(), 2u);
  EXPECT_EQ(Stems(q.excluded_phrases[0]), Phrase({{"green", 0}, {"appl", 1}}));
  EXPECT_EQ(Stems(q.excluded_phrases[1]), Phrase({{"e", 0}, {"mail", 1}}));
  EXPECT_TRUE(q.excluded.empty());
}

TEST_F(QueryParserTest, BareAndInnerExclamationMarks) {
  SearchQuery q = Parse("! foo !");
  ASSERT_EQ(q.terms.size(), 1u);
  EXPECT_EQ(q.terms[0].term, "foo");
  EXPECT_TRUE(q.excluded.empty());

  q = Parse("foo!bar");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_TRUE(q.excluded.empty());

  q = Parse("!the");  // excluding a stop word excludes nothing
  EXPECT_TRUE(q.excluded.empty());
  EXPECT_TRUE(q.empty());
}

TEST_F(QueryParserTest, EmptyQueries) {
  for (std::string_view text : {"", "   ", "\t\n", "!", "!!! !", ",.;:?", "\"\"", "\" \"",
                                "\xF0\x9F\x8D\x95", "the", "!\"a phrase\""}) {
    SCOPED_TRACE(std::string(text));
    const SearchQuery q = Parse(text);
    if (text == "the") {
      EXPECT_FALSE(q.empty());  // kept as a prefix
      continue;
    }
    EXPECT_TRUE(q.empty());
    EXPECT_TRUE(q.terms.empty());
    EXPECT_TRUE(q.phrases.empty());
  }
  const SearchQuery only_excluded = Parse("!foo !bar");
  EXPECT_TRUE(only_excluded.empty());
  EXPECT_EQ(only_excluded.excluded, std::vector<std::string>({"foo", "bar"}));
}

TEST_F(QueryParserTest, DuplicatesRemoved) {
  const SearchQuery q = Parse("foo foo FOO bar foo");
  ASSERT_EQ(q.terms.size(), 3u);
  EXPECT_EQ(q.terms[0], (QueryTerm{"foo", "foo", 0, false}));
  EXPECT_EQ(q.terms[1], (QueryTerm{"bar", "bar", 0, false}));
  EXPECT_EQ(q.terms[2], (QueryTerm{"foo", "foo", 0, true}));
}

TEST_F(QueryParserTest, CapsNumberOfTerms) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "w" + std::to_string(i) + " ";
  EXPECT_EQ(Parse(text).terms.size(), kMaxQueryTerms);
}

TEST_F(QueryParserTest, NonLatinScripts) {
  const SearchQuery q = Parse("\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 東京タワー");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_EQ(q.terms[0], (QueryTerm{"москва", "москва", 1, false}));
  EXPECT_EQ(q.terms[1].term, "東京タワー");
  EXPECT_TRUE(q.terms[1].prefix);
  EXPECT_EQ(q.terms[1].max_edits, 0);
}

TEST_F(QueryParserTest, InvalidUtf8NeverCrashes) {
  SearchQuery q = Parse(
      "foo\xFF\xFE"
      "bar \xC3");
  ASSERT_EQ(q.terms.size(), 2u);
  EXPECT_FALSE(q.terms[1].prefix);  // ends in a broken sequence, not a letter
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (int rotation = 0; rotation < 256; rotation += 17) {
    q = Parse(all.substr(rotation) + all.substr(0, rotation));
    for (const QueryTerm& term : q.terms) EXPECT_FALSE(term.term.empty());
  }
}

// A sorted dictionary cursor over a std::map's keys.
class MapCursor : public TermCursor {
 public:
  explicit MapCursor(const std::map<std::string, std::string>& terms) : terms_(terms) {}
  void Seek(std::string_view target) override { it_ = terms_.lower_bound(std::string(target)); }
  bool Valid() const override { return it_ != terms_.end(); }
  std::string_view term() const override { return it_->first; }
  void Next() override { ++it_; }

 private:
  const std::map<std::string, std::string>& terms_;
  std::map<std::string, std::string>::const_iterator it_ = terms_.end();
};

// The expansion recipe documented at QueryTerm, end to end: index a few words, parse queries,
// expand each term against the stem dictionary (and the surface dictionary).
class ExpansionTest : public QueryParserTest {
 protected:
  void SetUp() override {
    for (const Token& token : analyzer_.Analyze(
             "Autocomplete search results while running the database of searchable documents")) {
      stems_[token.term] = token.term;
      surfaces_[token.surface] = token.term;
    }
  }

  // The stems a parsed single-term query reaches; with `use_surfaces`, also via the surface
  // dictionary.
  std::set<std::string> Expand(std::string_view query, bool use_surfaces) {
    const SearchQuery q = Parse(query);
    EXPECT_EQ(q.terms.size(), 1u);
    std::set<std::string> stems;
    if (q.terms.empty()) return stems;
    const QueryTerm& term = q.terms[0];
    MapCursor stem_cursor(stems_);
    for (const FuzzyMatch& m : FuzzyExpand(stem_cursor, term.term, term.max_edits, false, 50)) {
      stems.insert(m.term);
    }
    if (term.prefix) {
      for (const FuzzyMatch& m : FuzzyExpand(stem_cursor, term.text, term.max_edits, true, 50)) {
        stems.insert(m.term);
      }
    }
    if (use_surfaces) {
      MapCursor surface_cursor(surfaces_);
      for (const FuzzyMatch& m :
           FuzzyExpand(surface_cursor, term.text, term.max_edits, term.prefix, 50)) {
        stems.insert(surfaces_.at(m.term));
      }
    }
    return stems;
  }

  std::map<std::string, std::string> stems_;     // stem -> stem
  std::map<std::string, std::string> surfaces_;  // surface -> stem
};

TEST_F(ExpansionTest, PrefixReachesStems) {
  EXPECT_EQ(Expand("autocom", false), std::set<std::string>({"autocomplet"}));
  EXPECT_EQ(Expand("Autocomplete", false), std::set<std::string>({"autocomplet"}));
  EXPECT_EQ(Expand("datab", false), std::set<std::string>({"databas"}));
  // The word is complete: no prefix expansion, and "autocom" is 4 edits from the stem.
  EXPECT_TRUE(Expand("autocom ", false).empty());
}

TEST_F(ExpansionTest, TyposReachStems) {
  EXPECT_EQ(Expand("serach ", false), std::set<std::string>({"search"}));
  EXPECT_EQ(Expand("databse ", false), std::set<std::string>({"databas"}));
  EXPECT_EQ(Expand("runnning ", false), std::set<std::string>({"run"}));
  EXPECT_EQ(Expand("documnets ", false), std::set<std::string>({"document"}));
  EXPECT_TRUE(Expand("resolts ", false).count("result") == 1);
}

TEST_F(ExpansionTest, SurfaceDictionaryCompletesPastTheStem) {
  // "runni" is not a prefix of the stem "run"; the surface form "running" completes it.
  EXPECT_TRUE(Expand("runni", false).empty());
  EXPECT_EQ(Expand("runni", true), std::set<std::string>({"run"}));
  EXPECT_EQ(Expand("searchab", true), std::set<std::string>({"searchabl"}));
}

}  // namespace
}  // namespace actiondb::search
