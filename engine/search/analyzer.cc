// Text analysis: ICU normalization, folding and word segmentation, Snowball English stemming.
// The pipeline and its reasons are described in analyzer.h and docs/search.md.
#include "engine/search/analyzer.h"

#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>
#include <unicode/uversion.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>

namespace actiondb::search {
namespace {

// Sorted, for binary search. See Analyzer::IsStopWord for the policy.
constexpr std::array<std::string_view, 30> kStopWords = {
    "a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",   "for",
    "if",  "in",    "into", "is",    "it",    "of",   "on",   "or",  "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to",  "was",  "with",
};
constexpr size_t kLongestStopWord = [] {
  size_t longest = 0;
  for (std::string_view w : kStopWords) longest = std::max(longest, w.size());
  return longest;
}();

// Latin letters that case folding leaves alone and NFD does not decompose, spelled the way a
// user without the key would type them. Input is already case-folded (lowercase).
const char16_t* SpelledOutLatin(UChar32 c) {
  switch (c) {
    case 0x00E6:
      return u"ae";  // æ
    case 0x00F0:
      return u"d";  // ð
    case 0x00F8:
      return u"o";  // ø
    case 0x00FE:
      return u"th";  // þ
    case 0x0111:
      return u"d";  // đ
    case 0x0127:
      return u"h";  // ħ
    case 0x0131:
      return u"i";  // ı (dotless i)
    case 0x0142:
      return u"l";  // ł
    case 0x0153:
      return u"oe";  // œ
    case 0x0167:
      return u"t";  // ŧ
    default:
      return nullptr;
  }
}

bool IsApostrophe(UChar32 c) { return c == 0x2019 || c == 0x02BC || c == 0x2018; }

// Which nonspacing marks to drop after a base letter of `script`.
enum class MarkPolicy { kKeep, kStripAll, kStripDiaeresis };

MarkPolicy MarkPolicyFor(UChar32 base) {
  UErrorCode status = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(base, &status);
  if (U_FAILURE(status)) return MarkPolicy::kKeep;
  switch (script) {
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
      return MarkPolicy::kStripAll;
    case USCRIPT_CYRILLIC:
      return MarkPolicy::kStripDiaeresis;  // ё -> е; й, ў keep their breve
    default:
      return MarkPolicy::kKeep;
  }
}

// Steps 1-3 of the pipeline, in UTF-16.
icu::UnicodeString FoldUnicode(std::string_view text) {
  if (text.size() > kMaxAnalyzedBytes) text = text.substr(0, kMaxAnalyzedBytes);
  // ASCII, the common case, in one pass: NFKC_Casefold maps only A-Z in it (to a-z) and no
  // ASCII character is default-ignorable, NFD and NFC leave it as it is, and it has no marks,
  // apostrophe variants or letters to spell out. (The tests hold this path to the full one.)
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    icu::UnicodeString out;
    char16_t* buf = out.getBuffer(static_cast<int32_t>(text.size()));
    if (buf != nullptr) {
      for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        buf[i] = static_cast<char16_t>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      }
      out.releaseBuffer(static_cast<int32_t>(text.size()));
      return out;
    }
  }
  icu::UnicodeString src = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));

  // ICU errors here mean missing ICU data (an installation problem); each step then passes the
  // text through unchanged rather than failing analysis.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString folded = U_SUCCESS(status) ? nfkc_cf->normalize(src, status) : src;
  if (U_FAILURE(status)) folded = src;

  status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString decomposed = U_SUCCESS(status) ? nfd->normalize(folded, status) : folded;
  if (U_FAILURE(status)) decomposed = folded;

  icu::UnicodeString stripped;
  MarkPolicy policy = MarkPolicy::kKeep;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) {
      if (policy == MarkPolicy::kStripAll) continue;
      if (policy == MarkPolicy::kStripDiaeresis && c == 0x0308) continue;
      stripped.append(c);
      continue;
    }
    policy = MarkPolicyFor(c);
    if (const char16_t* spelled = SpelledOutLatin(c)) {
      stripped.append(spelled, -1);
    } else if (IsApostrophe(c)) {
      stripped.append(static_cast<UChar32>(u'\''));
    } else {
      stripped.append(c);
    }
  }

  status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  icu::UnicodeString composed = U_SUCCESS(status) ? nfc->normalize(stripped, status) : stripped;
  if (U_FAILURE(status)) composed = stripped;
  return composed;
}

std::unique_ptr<icu::BreakIterator> NewWordBreaker() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> breaker(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) breaker.reset();
  return breaker;
}

// The calling thread's word BreakIterator (BreakIterators are not thread-safe), or nullptr if
// ICU could not create one.
icu::BreakIterator* ThreadWordBreaker() {
  thread_local std::unique_ptr<icu::BreakIterator> breaker = NewWordBreaker();
  return breaker.get();
}

struct StemmerDeleter {
  void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};

// The calling thread's English stemmer (sb_stemmer keeps per-call state), or nullptr.
sb_stemmer* ThreadStemmer() {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  return stemmer.get();
}

// A word has at least one letter or digit; this keeps emoji and symbol runs out even where
// ICU's rules give them a word status.
bool HasLetterOrDigit(const icu::UnicodeString& text, int32_t start, int32_t end) {
  for (int32_t i = start; i < end;) {
    UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (c < 0x80) {  // in ASCII, exactly the letters are alphabetic and 0-9 the digits
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
      continue;
    }
    if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_isdigit(c)) return true;
  }
  return false;
}

// Cuts `word` to at most kMaxWordBytes without splitting a UTF-8 sequence.
void TruncateWord(std::string& word) {
  if (word.size() <= kMaxWordBytes) return;
  size_t cut = kMaxWordBytes;
  while (cut > 0 && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) --cut;
  word.resize(cut);
}

std::string WithoutApostrophes(std::string word) {
  word.erase(std::remove(word.begin(), word.end(), '\''), word.end());
  return word;
}

struct Segment {
  int32_t start;
  int32_t end;
  WordKind kind;
};

// Word segments of folded text: ICU word boundaries, or (if ICU failed) maximal runs of letters,
// digits and marks.
std::vector<Segment> WordSegments(const icu::UnicodeString& text) {
  std::vector<Segment> segments;
  icu::BreakIterator* breaker = ThreadWordBreaker();
  if (breaker != nullptr) {
    breaker->setText(text);
    int32_t start = breaker->first();
    for (int32_t end = breaker->next(); end != icu::BreakIterator::DONE;
         start = end, end = breaker->next()) {
      int32_t rule = breaker->getRuleStatus();
      if (rule < UBRK_WORD_NONE_LIMIT) continue;
      if (!HasLetterOrDigit(text, start, end)) continue;
      WordKind kind = WordKind::kLetters;
      if (rule >= UBRK_WORD_NUMBER && rule < UBRK_WORD_NUMBER_LIMIT) {
        kind = WordKind::kNumber;
      } else if (rule >= UBRK_WORD_KANA && rule < UBRK_WORD_IDEO_LIMIT) {
        kind = WordKind::kIdeographic;
      }
      segments.push_back({start, end, kind});
    }
    // Do not keep a pointer to this call's text in the thread's iterator.
    breaker->setText(icu::UnicodeString());
    return segments;
  }
  int32_t start = -1;
  for (int32_t i = 0; i <= text.length();) {
    UChar32 c = i < text.length() ? text.char32At(i) : 0x20;
    bool in_word = u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK;
    if (in_word && start < 0) start = i;
    if (!in_word && start >= 0) {
      segments.push_back({start, i, WordKind::kLetters});
      start = -1;
    }
    i += i < text.length() ? U16_LENGTH(c) : 1;
  }
  return segments;
}

}  // namespace

Analyzer::Analyzer() = default;

std::string Analyzer::Fold(std::string_view text) const {
  std::string out;
  FoldUnicode(text).toUTF8String(out);
  return out;
}

std::string Analyzer::Stem(std::string_view folded_word) const {
  // Stemming costs more than a hash lookup, and text repeats its words (Zipf): the calling
  // thread remembers its last few thousand distinct words' stems.
  // Looked up by the caller's view (no key string built for a hit).
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  constexpr size_t kStemCacheWords = 16384;
  thread_local std::unordered_map<std::string, std::string, Hash, std::equal_to<>> cache;
  if (auto it = cache.find(folded_word); it != cache.end()) return it->second;
  std::string stem = StemUncached(folded_word);
  if (cache.size() >= kStemCacheWords) cache.clear();
  cache.emplace(std::string(folded_word), stem);
  return stem;
}

std::string Analyzer::StemUncached(std::string_view folded_word) const {
  bool ascii = true;
  bool has_letter = false;
  for (char ch : folded_word) {
    auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x80) ascii = false;
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z')) has_letter = true;
  }
  std::string word(folded_word);
  sb_stemmer* stemmer = ThreadStemmer();
  if (ascii && has_letter && stemmer != nullptr && word.size() <= kMaxWordBytes) {
    const sb_symbol* stem = sb_stemmer_stem(
        stemmer, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (stem != nullptr) {
      word.assign(reinterpret_cast<const char*>(stem),
                  static_cast<size_t>(sb_stemmer_length(stemmer)));
    }
  }
  return WithoutApostrophes(std::move(word));
}

bool Analyzer::IsStopWord(std::string_view folded_word) {
  // Most words are longer than every stop word: no search for them.
  if (folded_word.size() > kLongestStopWord) return false;
  return std::binary_search(kStopWords.begin(), kStopWords.end(), folded_word);
}

namespace {
// Whether `text` is only ASCII digits, spaces, '-' and ':': numbers and the date-times the
// search index writes ("2024-01-05 10:00:00"). Such text folds to itself, and ICU's word rules
// (UAX #29) cut it into exactly its digit runs, each a number: they join digits only across
// '.', ',', ';' and apostrophes, none of which is here. (The tests hold this to ICU.)
bool DigitsAndSeparatorsOnly(std::string_view text) {
  return text.size() <= kMaxAnalyzedBytes && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == ':';
         });
}
}  // namespace

std::vector<AnalyzedWord> Analyzer::AnalyzeWords(std::string_view text) const {
  std::vector<AnalyzedWord> words;
  uint32_t position = 0;
  if (DigitsAndSeparatorsOnly(text)) {
    // An update of a number or a date analyzes only such text; ICU's break iterator cost
    // ~10x the rest of its analysis.
    for (size_t i = 0; i < text.size();) {
      if (text[i] < '0' || text[i] > '9') {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      AnalyzedWord word;
      word.surface.assign(text.substr(i, std::min(end - i, kMaxWordBytes)));
      word.kind = WordKind::kNumber;
      word.term = word.surface;
      word.stop_word = IsStopWord(word.surface);
      word.position = position++;
      words.push_back(std::move(word));
      i = end;
    }
    return words;
  }
  icu::UnicodeString folded = FoldUnicode(text);
  words.reserve(text.size() / 6 + 1);  // ~1 word per 6 bytes of prose: rarely a reallocation
  for (const Segment& segment : WordSegments(folded)) {
    std::string raw;
    folded.tempSubStringBetween(segment.start, segment.end).toUTF8String(raw);
    TruncateWord(raw);
    AnalyzedWord word;
    word.surface = WithoutApostrophes(raw);
    if (word.surface.empty()) continue;
    word.kind = segment.kind;
    word.term = segment.kind == WordKind::kLetters ? Stem(raw) : word.surface;
    if (word.term.empty()) word.term = word.surface;
    word.stop_word = IsStopWord(word.surface);
    word.position = position++;
    words.push_back(std::move(word));
  }
  return words;
}

std::vector<Token> Analyzer::Analyze(std::string_view text) const {
  std::vector<Token> tokens;
  for (AnalyzedWord& word : AnalyzeWords(text)) {
    if (word.stop_word) continue;
    tokens.push_back(Token{std::move(word.term), word.position, std::move(word.surface)});
  }
  return tokens;
}

std::string AnalyzerFingerprint() {
  UVersionInfo icu_version;
  UVersionInfo unicode_version;
  u_getVersion(icu_version);
  u_getUnicodeVersion(unicode_version);
  char icu_text[U_MAX_VERSION_STRING_LENGTH];
  char unicode_text[U_MAX_VERSION_STRING_LENGTH];
  u_versionToString(icu_version, icu_text);
  u_versionToString(unicode_version, unicode_text);
  return "actiondb-analyzer/" + std::to_string(kAnalyzerVersion) + " icu/" + icu_text +
         " unicode/" + unicode_text + " snowball/english";
}

size_t CodePointCount(std::string_view utf8) {
  size_t count = 0;
  int64_t i = 0;
  const auto length = static_cast<int64_t>(utf8.size());
  const char* data = utf8.data();
  while (i < length) {
    UChar32 c;
    U8_NEXT(data, i, length, c);
    (void)c;
    ++count;
  }
  return count;
}

}  // namespace actiondb::search
