// Levenshtein (OSA) automaton over code points and its intersection with a sorted dictionary.
//
// The automaton is simulated, not compiled: a state is the bounded dynamic-programming row of
// edit distances between every prefix of the query and the input read so far (values capped at
// max_edits + 1, since everything above the budget is equally dead), plus the previous row and
// character, which the transposition rule needs. Stepping costs O(query length); with a budget
// of at most 2 that is cheaper than building the DFA for each query.
#include "engine/search/levenshtein.h"

#include <algorithm>
#include <cstdint>

namespace actiondb::search {
namespace {

constexpr char32_t kMaxCodePoint = 0x10FFFF;
constexpr char32_t kNoChar = 0x110000;

struct Decoded {
  char32_t c;   // the code point, or kNoChar + byte for an ill-formed byte
  size_t size;  // bytes consumed
  bool valid;
};

// Decodes one character at `i` (< s.size()). Strict: overlong forms, surrogates and values
// beyond U+10FFFF are ill-formed, and an ill-formed sequence consumes exactly one byte.
Decoded DecodeUtf8(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  const Decoded invalid{kNoChar + b0, 1, false};
  size_t need;
  char32_t cp;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return invalid;
  }
  if (s.size() - i <= need) return invalid;
  for (size_t k = 1; k <= need; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return invalid;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) return invalid;
  return {cp, need + 1, true};
}

std::vector<char32_t> DecodeAll(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    Decoded d = DecodeUtf8(s, i);
    out.push_back(d.c);
    i += d.size;
  }
  return out;
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Orders matches best first: distance, whole-term before prefix-only, then term bytes.
bool BetterMatch(const FuzzyMatch& a, const FuzzyMatch& b) {
  if (a.distance != b.distance) return a.distance < b.distance;
  if (a.prefix_match != b.prefix_match) return !a.prefix_match;
  return a.term < b.term;
}

}  // namespace

TermCursor::~TermCursor() = default;

int MaxEditsForLength(size_t codepoints) {
  if (codepoints <= 4) return 0;
  if (codepoints <= 8) return 1;
  return 2;
}

int OsaDistance(std::string_view a, std::string_view b) {
  const std::vector<char32_t> x = DecodeAll(a);
  const std::vector<char32_t> y = DecodeAll(b);
  const size_t n = x.size();
  const size_t m = y.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = x[i - 1] == y[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

LevenshteinAutomaton::LevenshteinAutomaton(std::string_view query, int max_edits, bool prefix)
    : query_(DecodeAll(query)), max_edits_(std::clamp(max_edits, 0, kMaxEdits)), prefix_(prefix) {
  for (char32_t c : query_) {
    if (c <= kMaxCodePoint) sorted_query_chars_.push_back(c);
  }
  std::sort(sorted_query_chars_.begin(), sorted_query_chars_.end());
  sorted_query_chars_.erase(std::unique(sorted_query_chars_.begin(), sorted_query_chars_.end()),
                            sorted_query_chars_.end());
}

LevenshteinAutomaton::State LevenshteinAutomaton::Start() const {
  const int cap = max_edits_ + 1;
  State state;
  state.row.resize(query_.size() + 1);
  for (size_t i = 0; i < state.row.size(); ++i) {
    state.row[i] = std::min(static_cast<int>(i), cap);
  }
  state.best_prefix = state.row.back();
  return state;
}

void LevenshteinAutomaton::FillRow(const StateView& state, char32_t c, int* row) const {
  const int cap = max_edits_ + 1;
  const size_t n = query_.size();
  row[0] = std::min(state.row[0] + 1, cap);
  for (size_t i = 1; i <= n; ++i) {
    const int cost = query_[i - 1] == c ? 0 : 1;
    int v = std::min({state.row[i] + 1, row[i - 1] + 1, state.row[i - 1] + cost});
    // Transposition: the query has ...c,last... where the input has ...last,c.
    if (state.has_last && i >= 2 && query_[i - 1] == state.last && query_[i - 2] == c) {
      v = std::min(v, state.prev_row[i - 2] + 1);
    }
    row[i] = std::min(v, cap);
  }
}

int LevenshteinAutomaton::StepInto(const StateView& state, char32_t c, int* row) const {
  FillRow(state, c, row);
  return std::min(state.best_prefix, row[query_.size()]);
}

LevenshteinAutomaton::State LevenshteinAutomaton::Step(const State& state, char32_t c) const {
  State next;
  next.row.resize(row_size());
  next.best_prefix = StepInto(View(state), c, next.row.data());
  next.prev_row = state.row;
  next.last = c;
  next.has_last = true;
  return next;
}

bool LevenshteinAutomaton::StepCanMatch(const StateView& state, char32_t c) const {
  // The stepped row on the stack (allocated only for queries of 64 code points and more).
  constexpr size_t kInlineRow = 64;
  int inline_row[kInlineRow];
  std::vector<int> long_row;
  int* row = inline_row;
  if (row_size() > kInlineRow) {
    long_row.resize(row_size());
    row = long_row.data();
  }
  const int best_prefix = StepInto(state, c, row);
  return CanMatch(StateView{row, state.row, c, true, best_prefix});
}

bool LevenshteinAutomaton::CanMatch(const StateView& state) const {
  if (prefix_ && state.best_prefix <= max_edits_) return true;
  // Cells never drop below the minimum of the row before: insertions, deletions and
  // substitutions add to a cell of this row, and a transposition's prev_row[i-2] + 1 is already
  // >= row[i-1] (this row aligned the last input character with query[i-2] at cost <= 1).
  // So once every cell is over budget, every continuation is.
  return *std::min_element(state.row, state.row + row_size()) <= max_edits_;
}

bool LevenshteinAutomaton::IsMatch(const StateView& state) const {
  return prefix_ ? state.best_prefix <= max_edits_ : state.row[query_.size()] <= max_edits_;
}

FuzzyMatch LevenshteinAutomaton::Result(const StateView& state) const {
  FuzzyMatch match;
  const int whole = state.row[query_.size()];
  if (prefix_) {
    match.distance = state.best_prefix;
    match.prefix_match = whole > state.best_prefix;
  } else {
    match.distance = whole;
  }
  return match;
}

char32_t LevenshteinAutomaton::NextLiveChar(const StateView& state, char32_t after) const {
  if (after >= kMaxCodePoint) return kNoChar;
  char32_t best = kNoChar;
  // Query characters above `after`, ascending: the first live one is the best among them.
  for (auto it = std::upper_bound(sorted_query_chars_.begin(), sorted_query_chars_.end(), after);
       it != sorted_query_chars_.end(); ++it) {
    if (StepCanMatch(state, *it)) {
      best = *it;
      break;
    }
  }
  // Every character outside the query behaves alike; try the smallest one above `after`.
  char32_t other = after + 1;
  for (;;) {
    if (other >= 0xD800 && other <= 0xDFFF) other = 0xE000;
    if (!std::binary_search(sorted_query_chars_.begin(), sorted_query_chars_.end(), other)) break;
    ++other;
  }
  if (other < best && other <= kMaxCodePoint && StepCanMatch(state, other)) best = other;
  return best;
}

std::vector<FuzzyMatch> FuzzyExpand(TermCursor& cursor, std::string_view query_term, int max_edits,
                                    bool prefix, size_t limit) {
  std::vector<FuzzyMatch> best;  // a max-heap under BetterMatch: the worst kept match on top
  if (limit == 0) return best;
  const LevenshteinAutomaton automaton(query_term, max_edits, prefix);

  // The walk caches the decoding of the previous term so a term sharing a prefix with it
  // resumes from the state after that prefix. chars[j], valid[j]: the j-th character;
  // offsets[j]: its byte offset (offsets has one more entry, the end); the state before
  // character j: its row at rows[j * width], its best_prefix at best_prefix[j], and (j > 0)
  // the row before it and chars[j - 1] for transpositions. One flat array of rows, not two
  // vectors allocated per character stepped: a rare word's four walks step thousands of
  // characters.
  std::string prev;
  std::vector<char32_t> chars;
  std::vector<bool> valid;
  std::vector<size_t> offsets = {0};
  const size_t width = automaton.row_size();
  std::vector<int> rows;
  std::vector<int> best_prefix;
  {
    const LevenshteinAutomaton::State start = automaton.Start();
    rows = start.row;
    best_prefix.push_back(start.best_prefix);
  }
  // The state before character `level` (pointers into `rows`: valid until it grows).
  auto state_at = [&](size_t level) {
    LevenshteinAutomaton::StateView v;
    v.row = rows.data() + level * width;
    if (level > 0) {
      v.prev_row = rows.data() + (level - 1) * width;
      v.last = chars[level - 1];
      v.has_last = true;
    }
    v.best_prefix = best_prefix[level];
    return v;
  };

  // Accepted terms wait here until the cursor confirms a batch of them (TermCursor::CheckLive);
  // the confirmed ones then compete for the `limit` places. The order of the candidates does
  // not change the result (BetterMatch is a total order), so batching only defers the check.
  constexpr size_t kConfirmBatch = 256;
  std::vector<FuzzyMatch> candidates;
  std::vector<std::string_view> candidate_terms;
  std::vector<bool> live;
  // Confirms the waiting candidates and keeps the live ones. True when nothing later can beat
  // the kept matches: a full heap of exact whole-term matches (later terms are bytewise greater).
  auto confirm = [&]() {
    if (candidates.empty()) return false;
    candidate_terms.clear();
    for (const auto& m : candidates) candidate_terms.push_back(m.term);
    cursor.CheckLive(candidate_terms, &live);
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (!live[i]) continue;
      FuzzyMatch& match = candidates[i];
      if (best.size() < limit) {
        best.push_back(std::move(match));
        std::push_heap(best.begin(), best.end(), BetterMatch);
      } else if (BetterMatch(match, best.front())) {
        std::pop_heap(best.begin(), best.end(), BetterMatch);
        best.back() = std::move(match);
        std::push_heap(best.begin(), best.end(), BetterMatch);
      }
    }
    candidates.clear();
    return best.size() == limit && best.front().distance == 0 && !best.front().prefix_match;
  };

  cursor.Seek("");
  while (cursor.Valid()) {
    const std::string_view term = cursor.term();

    // Reuse the characters lying wholly inside the common byte prefix. An ill-formed byte's
    // decoding depends on the bytes after it, so those are re-decoded.
    const size_t common =
        std::mismatch(prev.begin(), prev.end(), term.begin(), term.end()).first - prev.begin();
    size_t keep = chars.size();
    while (keep > 0 && offsets[keep] > common) --keep;
    while (keep > 0 && !valid[keep - 1]) --keep;
    chars.resize(keep);
    valid.resize(keep);
    offsets.resize(keep + 1);
    best_prefix.resize(keep + 1);

    bool dead = !automaton.CanMatch(state_at(keep));
    while (!dead && offsets.back() < term.size()) {
      const Decoded d = DecodeUtf8(term, offsets.back());
      const size_t level = chars.size();
      rows.resize((level + 2) * width);  // before state_at: the pointers must survive the step
      const int bp = automaton.StepInto(state_at(level), d.c, rows.data() + (level + 1) * width);
      chars.push_back(d.c);
      valid.push_back(d.valid);
      offsets.push_back(offsets.back() + d.size);
      best_prefix.push_back(bp);
      dead = !automaton.CanMatch(state_at(level + 1));
    }
    prev.assign(term.substr(0, offsets.back()));
    const LevenshteinAutomaton::StateView last = state_at(chars.size());

    if (!dead) {
      if (automaton.IsMatch(last)) {
        candidates.push_back(automaton.Result(last));
        candidates.back().term.assign(term);
        if (candidates.size() == kConfirmBatch && confirm()) break;
      }
      // A live term: its extensions, which follow it directly, may match.
      cursor.Next();
      continue;
    }

    // The automaton died at character `chars.size() - 1`. Seek to the smallest string above
    // this term that keeps it alive: raise the dying character, or failing that an earlier one.
    if (!std::all_of(valid.begin(), valid.end(), [](bool v) { return v; })) {
      cursor.Next();
      continue;
    }
    bool sought = false;
    for (size_t level = chars.size(); level-- > 0;) {
      const char32_t next = automaton.NextLiveChar(state_at(level), chars[level]);
      if (next > kMaxCodePoint) continue;
      std::string target(term.substr(0, offsets[level]));
      AppendUtf8(next, target);
      cursor.Seek(target);
      sought = true;
      break;
    }
    if (!sought) break;  // no string above this term can match
  }
  confirm();

  std::sort_heap(best.begin(), best.end(), BetterMatch);
  return best;
}

}  // namespace actiondb::search
