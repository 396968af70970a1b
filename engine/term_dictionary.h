// An in-memory copy of a model's term and surface dictionaries (docs/search.md, "Term
// dictionary in memory"), for typo and prefix expansion: the walk of a Levenshtein automaton
// over the dictionary seeks hundreds of times per query word, and a RocksDB seek over the
// merge-counted `stat` keys costs ~10k instructions where a seek here costs a few hundred.
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
// Layout: per kind, an immutable *version* of two sorted, disjoint arrays (a large `base` and a
// small `recent` one), published by pointer; the terms' bytes live in an append-only arena
// that never moves or frees them while the dictionary lives. A reader takes the current
// version once (Cursor) and walks it with no lock and no copy: Next is a step in an array, Seek
// a search that gallops from where the cursor is (the automaton mostly seeks forward, near).
// Each entry carries the term's first 8 bytes as an integer, so most comparisons of a search
// never touch the arena. An Add that brings new terms publishes a new version: `recent` copied
// with them merged in (entries are 24 bytes: at most a few thousand), and when `recent` outgrows
// its cap (1,024 + base/256 entries) both are folded into a new `base`; a term is copied O(1)
// times amortized.
//
// Thread-safety: every method is thread-safe. Readers take a mutex only to copy the version
// pointer; writers (Add) are serialized among themselves and publish under that mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
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

  struct Entry {
    uint64_t head = 0;  // the first 8 bytes, big-endian, zero-padded: orders like the bytes
    std::string_view term;
  };
  struct Version {
    // Each sorted bytewise; no term is in both. Versions share `base` until a fold.
    std::shared_ptr<const std::vector<Entry>> base;
    std::vector<Entry> recent;
  };

  // A position in one version of one kind; it sees that version whatever is added later.
  class Cursor {
   public:
    explicit Cursor(std::shared_ptr<const Version> version);
    // The first term >= target; !Valid() when there is none.
    void Seek(std::string_view target);
    bool Valid() const { return valid_; }
    // The current term; the view stays good as long as the dictionary lives.
    std::string_view term() const {
      return from_base_ ? (*v_->base)[b_].term : v_->recent[r_].term;
    }
    void Next();

   private:
    void Settle();

    std::shared_ptr<const Version> v_;
    size_t b_ = 0, r_ = 0;  // the first entry of base / recent not before the current term
    bool valid_ = false, from_base_ = false;
  };

  TermDictionary();

  // Adds the held ones of `terms` that are missing.
  void Add(Kind kind, const std::vector<std::string_view>& terms);
  // The current version of a kind, for a Cursor.
  std::shared_ptr<const Version> Current(Kind kind) const;
  bool Contains(Kind kind, std::string_view term) const;
  size_t size(Kind kind) const;

  // Set once the initial scan is in: before that the sets are partial and readers must use
  // the disk dictionary.
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  void set_ready() { ready_.store(true, std::memory_order_release); }

  // The big-endian first 8 bytes of `s`, zero-padded (Entry::head).
  static uint64_t Head(std::string_view s);

 private:
  std::string_view Intern(std::string_view term);  // under write_mu_

  mutable std::mutex mu_;  // guards versions_
  std::shared_ptr<const Version> versions_[2];
  std::mutex write_mu_;  // serializes Add; guards the arena
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0, chunk_size_ = 0;
  std::atomic<bool> ready_{false};
};

}  // namespace actiondb::engine
