// Parses a search string into a SearchQuery: a byte scanner for the syntax (whitespace, quotes,
// "!") over the folded query, and the Analyzer for the words inside each piece.
#include "engine/search/query_parser.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "engine/search/levenshtein.h"

namespace actiondb::search {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The byte length of the quote character starting at s[i], or 0 if there is none.
size_t QuoteLength(std::string_view s, size_t i) {
  if (s[i] == '"') return 1;
  static constexpr std::array<std::string_view, 3> kTypographicQuotes = {
      "\xE2\x80\x9C",  // “
      "\xE2\x80\x9D",  // ”
      "\xE2\x80\x9E",  // „
  };
  for (std::string_view quote : kTypographicQuotes) {
    if (s.substr(i, quote.size()) == quote) return quote.size();
  }
  return 0;
}

// Whether the last character of `s` is part of a word (letter, digit or combining mark), i.e.
// the user may still be typing that word.
bool EndsInWordCharacter(std::string_view s) {
  if (s.empty()) return false;
  const std::string_view tail = s.substr(s.size() - std::min<size_t>(s.size(), 4));
  int32_t i = static_cast<int32_t>(tail.size());
  UChar32 c;
  U8_PREV(tail.data(), 0, i, c);
  if (c < 0) return false;
  const int8_t type = u_charType(c);
  return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_isdigit(c) || type == U_NON_SPACING_MARK ||
         type == U_COMBINING_SPACING_MARK;
}

int TypoBudget(const AnalyzedWord& word) {
  if (word.kind != WordKind::kLetters) return 0;
  return MaxEditsForLength(CodePointCount(word.surface));
}

// The indexable words of `words` as phrase tokens, positions relative to the first.
QueryPhrase ToPhrase(const std::vector<AnalyzedWord>& words) {
  QueryPhrase phrase;
  for (const AnalyzedWord& word : words) {
    if (!word.stop_word) phrase.tokens.push_back(Token{word.term, word.position, word.surface});
  }
  if (!phrase.tokens.empty()) {
    const uint32_t base = phrase.tokens[0].position;
    for (Token& token : phrase.tokens) token.position -= base;
  }
  return phrase;
}

class Parser {
 public:
  explicit Parser(const Analyzer& analyzer) : analyzer_(analyzer) {}

  SearchQuery Parse(std::string_view query) {
    const std::string folded = analyzer_.Fold(query);
    const std::string_view s = folded;
    const bool ends_in_word = EndsInWordCharacter(s);
    size_t i = 0;
    while (i < s.size()) {
      if (IsSpace(s[i])) {
        ++i;
        continue;
      }
      bool negated = false;
      while (i < s.size() && s[i] == '!') {
        negated = true;
        ++i;
      }
      if (i == s.size() || IsSpace(s[i])) continue;  // a bare "!"
      if (const size_t open = QuoteLength(s, i); open > 0) {
        const size_t start = i + open;
        size_t end = start;
        while (end < s.size() && QuoteLength(s, end) == 0) ++end;
        AddPhrase(s.substr(start, end - start), negated);
        i = end < s.size() ? end + QuoteLength(s, end) : end;
        continue;
      }
      const size_t start = i;
      while (i < s.size() && !IsSpace(s[i]) && QuoteLength(s, i) == 0) ++i;
      const bool prefix_last = !negated && i == s.size() && ends_in_word;
      AddWords(s.substr(start, i - start), negated, prefix_last);
    }
    return std::move(query_);
  }

 private:
  void AddPhrase(std::string_view text, bool negated) {
    QueryPhrase phrase = ToPhrase(analyzer_.AnalyzeWords(text));
    if (phrase.tokens.empty()) return;
    (negated ? query_.excluded_phrases : query_.phrases).push_back(std::move(phrase));
  }

  void AddWords(std::string_view text, bool negated, bool prefix_last) {
    const std::vector<AnalyzedWord> words = analyzer_.AnalyzeWords(text);
    if (negated) {
      QueryPhrase phrase = ToPhrase(words);
      if (phrase.tokens.size() > 1) {
        query_.excluded_phrases.push_back(std::move(phrase));
      } else if (phrase.tokens.size() == 1) {
        std::string& term = phrase.tokens[0].term;
        if (std::find(query_.excluded.begin(), query_.excluded.end(), term) ==
            query_.excluded.end()) {
          query_.excluded.push_back(std::move(term));
        }
      }
      return;
    }
    for (size_t k = 0; k < words.size(); ++k) {
      const AnalyzedWord& word = words[k];
      const bool prefix = prefix_last && k + 1 == words.size();
      if (word.stop_word && !prefix) continue;
      QueryTerm term{word.surface, word.term, TypoBudget(word), prefix};
      if (std::find(query_.terms.begin(), query_.terms.end(), term) != query_.terms.end()) {
        continue;
      }
      if (query_.terms.size() < kMaxQueryTerms) query_.terms.push_back(std::move(term));
    }
  }

  const Analyzer& analyzer_;
  SearchQuery query_;
};

}  // namespace

SearchQuery ParseSearchQuery(std::string_view query, const Analyzer& analyzer) {
  return Parser(analyzer).Parse(query);
}

}  // namespace actiondb::search
