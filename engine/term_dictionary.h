// An in-memory copy of a model's term and surface dictionaries (docs/search.md, "Term
// dictionary in memory"), for typo and prefix expansion: the walk of a Levenshtein automaton
// over the dictionary seeks hundreds of times per query word, and a RocksDB seek over the
// merge-counted `ctr` keys costs ~10k instructions where a search of this set costs a few
// hundred.
//
// What it holds: a SUPERSET of the live dictionary keys (count > 0) whose first byte is at
// least kMinByte ('@': letters, and every non-ASCII word, whose UTF-8 lead bytes are >= 0xC2).
// Terms that begin with a digit or punctuation (numbers, dates, ids: most of the keys of a
// large model, and never reached by a typo walk except through a few seeks) stay on disk; the
// search reader's cursor reads that region from RocksDB.
//
// Superset, not exact: a commit adds the keys whose count it raises before it commits (so a
// reader whose snapshot includes the commit finds them), and nothing removes a key whose count
// falls to 0. Readers therefore confirm a term at their own snapshot before using it
// (SearchReader's cursor does, for the terms a walk accepts).
//
// Thread-safety: every method is thread-safe. Each lookup takes the lock shared for one set
// search; inserts take it exclusively. No lock is held between calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace actiondb::engine {

class TermDictionary {
 public:
  enum Kind { kTerms = 0, kSurfaces = 1 };
  static constexpr unsigned char kMinByte = '@';

  // Whether `term` belongs in memory (its first byte is at least kMinByte).
  static bool Held(std::string_view term) {
    return !term.empty() && static_cast<unsigned char>(term[0]) >= kMinByte;
  }

  // Adds the held ones of `terms` that are missing.
  void Add(Kind kind, const std::vector<std::string_view>& terms);
  // The first term >= target into *out; false when there is none.
  bool LowerBound(Kind kind, std::string_view target, std::string* out) const;
  // The first term > after into *out; false when there is none.
  bool UpperBound(Kind kind, std::string_view after, std::string* out) const;
  bool Contains(Kind kind, std::string_view term) const;
  size_t size(Kind kind) const;

  // Set once the initial scan is in: before that the sets are partial and readers must use
  // the disk dictionary.
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  void set_ready() { ready_.store(true, std::memory_order_release); }

 private:
  mutable std::shared_mutex mu_;
  std::set<std::string, std::less<>> sets_[2];
  std::atomic<bool> ready_{false};
};

}  // namespace actiondb::engine
