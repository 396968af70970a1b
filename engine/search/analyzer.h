// Text analysis for full-text search: turns field text (at index time) and query words (at
// search time) into the terms stored in the term dictionary.
//
// Pipeline (docs/search.md has the long form):
//   1. UTF-8 -> UTF-16 (invalid byte sequences become U+FFFD, which is never part of a word).
//   2. NFKC_Casefold: compatibility normalization + full case folding (ﬁ -> fi, Ｆｕｌｌ -> full,
//      Ä -> ä, ß/ẞ -> ss, ς -> σ), default-ignorables (soft hyphen, ZWJ, ...) removed.
//   3. Accent folding: nonspacing marks on Latin and Greek letters are removed (é -> e, ά -> α),
//      a few Latin letters without a decomposition are spelled out (ø -> o, ł -> l, æ -> ae,
//      œ -> oe, þ -> th, đ/ð -> d, ı -> i); Cyrillic ё -> е. Marks in other scripts (Arabic
//      harakat, Devanagari vowel signs, ...) are kept: there they carry meaning.
//      Typographic apostrophes (’ ʼ ‘) become '.
//   4. Segmentation with ICU's UAX #29 word BreakIterator (root locale). Segments with a word
//      rule status (letters, numbers, kana, ideographs) are words; punctuation, spaces, symbols
//      and emoji are not. CJK and Thai are split by ICU's dictionaries, so 東京タワー yields
//      several words.
//   5. Stop words (a fixed list of 30 English function words, see IsStopWord) are dropped but
//      keep their position, so phrase positions stay honest ("bank of america": bank@0,
//      america@2).
//   6. English Snowball (Porter2) stemming of words that are all ASCII after folding;
//      words in other scripts, and numbers, are indexed as folded. Apostrophes are removed after
//      stemming ("john's" -> "john", "don't" -> "dont").
//
// Stems vs prefix and typo matching. The term dictionary holds stems (Token::term). A query word
// is kept in two forms (AnalyzedWord): `term`, its stem, for exact and typo lookup in the stem
// dictionary, and `surface`, the folded but unstemmed word, for prefix lookup. "autocom" is a
// prefix of the stem "autocomplet"; "serach" (stem "serach") is one transposition from the stem
// "search". A stem can, however, be shorter than what the user has typed so far: "runni" is
// not a prefix of the stem "run". To complete those, Token also carries `surface`: the engine may
// keep a second, postings-free dictionary surface -> stem ("running" -> "run") and prefix/typo
// expand the surface form there, mapping hits to stems. With only the stem dictionary, prefix
// matching still works whenever the typed prefix is a prefix of the stem (the common case).
//
// Thread-safety: an Analyzer is immutable after construction; all const methods may be called
// concurrently. The ICU BreakIterator and the Snowball stemmer, which are not thread-safe, are
// kept per thread (thread_local).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace actiondb::search {

// Bumped whenever any step above changes what terms a text produces. Stored with each search
// index; a mismatch at open means the index must be rebuilt.
inline constexpr uint32_t kAnalyzerVersion = 1;

// Words longer than this many bytes (after folding) are cut at a code point boundary, so a
// pasted blob cannot make a huge dictionary key.
inline constexpr size_t kMaxWordBytes = 128;

// Inputs longer than this are analyzed only up to this length (ICU strings are int32-indexed).
inline constexpr size_t kMaxAnalyzedBytes = size_t{1} << 28;

// An indexed term and its word position in the field. Positions count every word, stop words
// included, starting at 0; `surface` is the folded, unstemmed word the term came from.
struct Token {
  std::string term;
  uint32_t position = 0;
  std::string surface;

  bool operator==(const Token&) const = default;
};

// What kind of segment a word is, from ICU's word rule status.
enum class WordKind {
  kLetters,      // alphabetic words (Latin, Cyrillic, Greek, Arabic, Hangul, ...)
  kNumber,       // 42, 3.14
  kIdeographic,  // Han ideographs and kana
};

// One word of a text with everything the query side needs to know about it.
struct AnalyzedWord {
  std::string surface;  // folded, unstemmed, apostrophes removed
  std::string term;     // the indexed form: stem of `surface` (or `surface` if not stemmed)
  uint32_t position = 0;
  WordKind kind = WordKind::kLetters;
  bool stop_word = false;  // stop words are not indexed
};

class Analyzer {
 public:
  Analyzer();

  // The terms to index for `text`: every non-stop word, folded and stemmed, with its position.
  // Never fails: invalid UTF-8, control characters and unassigned code points are tolerated
  // (they end words, they never appear in terms). Text beyond kMaxAnalyzedBytes is ignored.
  std::vector<Token> Analyze(std::string_view text) const;

  // Every word of `text`, stop words included (flagged), with both forms. Used by the query
  // parser; Analyze is exactly the non-stop words of this.
  std::vector<AnalyzedWord> AnalyzeWords(std::string_view text) const;

  // Steps 1-3 only (normalize + fold, no segmentation), returned as UTF-8. Idempotent.
  std::string Fold(std::string_view text) const;

  // Stems one already-folded word with English Snowball if it is all ASCII and has a letter;
  // returns it unchanged otherwise. Apostrophes are removed from the result.
  std::string Stem(std::string_view folded_word) const;

  // Whether a folded word is on the stop list. The list: a an and are as at be but by for if in
  // into is it of on or such that the their then there these they this to was with (Lucene's
  // English set without "no", "not" and "will", which change meaning or are names).
  static bool IsStopWord(std::string_view folded_word);

 private:
  std::string StemUncached(std::string_view folded_word) const;
};

// "actiondb-analyzer/<kAnalyzerVersion> icu/<version> unicode/<version> snowball/english":
// everything that can change analysis output. Store it next to kAnalyzerVersion to detect an
// ICU upgrade as well.
std::string AnalyzerFingerprint();

// Number of Unicode code points in a UTF-8 string (an ill-formed sequence counts as one).
size_t CodePointCount(std::string_view utf8);

}  // namespace actiondb::search
