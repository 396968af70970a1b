// The in-memory term dictionary (contract and layout in term_dictionary.h).
#include "engine/term_dictionary.h"

#include <algorithm>
#include <cstring>

namespace actiondb::engine {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

bool Less(const TermDictionary::Entry& a, const TermDictionary::Entry& b) {
  return a.head != b.head ? a.head < b.head : a.term < b.term;
}

// The index of the first entry of `a` >= target, found by galloping forward from `from` when
// the target lies ahead of it (a walk's seeks mostly land near where it is), else by a binary
// search of the part before `from`.
size_t LowerBoundFrom(const std::vector<TermDictionary::Entry>& a, size_t from,
                      const TermDictionary::Entry& target) {
  const size_t n = a.size();
  from = std::min(from, n);
  auto search = [&](size_t lo, size_t hi) {
    return static_cast<size_t>(std::lower_bound(a.begin() + static_cast<std::ptrdiff_t>(lo),
                                                a.begin() + static_cast<std::ptrdiff_t>(hi), target,
                                                Less) -
                               a.begin());
  };
  if (from == n || !Less(a[from], target)) {
    if (from == 0 || Less(a[from - 1], target)) return from;
    return search(0, from);
  }
  size_t lo = from + 1;  // a[lo - 1] < target
  for (size_t step = 1;; step *= 2) {
    size_t probe = lo + step - 1;
    if (probe >= n) return search(lo, n);
    if (!Less(a[probe], target)) return search(lo, probe);
    lo = probe + 1;
  }
}

bool Has(const std::vector<TermDictionary::Entry>& a, const TermDictionary::Entry& e) {
  auto it = std::lower_bound(a.begin(), a.end(), e, Less);
  return it != a.end() && it->term == e.term;
}

bool Has(const TermDictionary::Version& v, const TermDictionary::Entry& e) {
  return Has(*v.base, e) || Has(v.recent, e);
}

}  // namespace

uint64_t TermDictionary::Head(std::string_view s) {
  uint64_t h = 0;
  for (size_t i = 0; i < 8; ++i) {
    h = (h << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
  }
  return h;
}

TermDictionary::Cursor::Cursor(std::shared_ptr<const Version> version) : v_(std::move(version)) {}

void TermDictionary::Cursor::Seek(std::string_view target) {
  Entry e{Head(target), target};
  b_ = LowerBoundFrom(*v_->base, b_, e);
  r_ = LowerBoundFrom(v_->recent, r_, e);
  Settle();
}

void TermDictionary::Cursor::Next() {
  if (from_base_) {
    ++b_;
  } else {
    ++r_;
  }
  Settle();
}

void TermDictionary::Cursor::Settle() {
  const bool in_base = b_ < v_->base->size(), in_recent = r_ < v_->recent.size();
  valid_ = in_base || in_recent;
  from_base_ = in_base && (!in_recent || Less((*v_->base)[b_], v_->recent[r_]));
}

TermDictionary::TermDictionary() {
  for (auto& v : versions_) {
    auto empty = std::make_shared<Version>();
    empty->base = std::make_shared<const std::vector<Entry>>();
    v = std::move(empty);
  }
}

std::shared_ptr<const TermDictionary::Version> TermDictionary::Current(Kind kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  return versions_[kind];
}

std::string_view TermDictionary::Intern(std::string_view term) {
  if (chunks_.empty() || chunk_used_ + term.size() > chunk_size_) {
    // A term longer than a chunk gets one of its own size (the rest of the old chunk is left).
    chunk_size_ = std::max(kChunkBytes, term.size());
    chunks_.push_back(std::make_unique<char[]>(chunk_size_));
    chunk_used_ = 0;
  }
  char* at = chunks_.back().get() + chunk_used_;
  if (!term.empty()) std::memcpy(at, term.data(), term.size());
  chunk_used_ += term.size();
  return {at, term.size()};
}

void TermDictionary::Add(Kind kind, const std::vector<std::string_view>& terms) {
  // Most commits raise only known terms: find that out without the writers' lock.
  std::shared_ptr<const Version> cur = Current(kind);
  std::vector<Entry> missing;
  for (std::string_view t : terms) {
    Entry e{Head(t), t};
    if (Held(t) && !Has(*cur, e)) missing.push_back(e);
  }
  if (missing.empty()) return;
  std::lock_guard<std::mutex> write(write_mu_);
  cur = Current(kind);  // another writer may have added some since
  std::sort(missing.begin(), missing.end(), Less);
  missing.erase(std::unique(missing.begin(), missing.end(),
                            [](const Entry& a, const Entry& b) { return a.term == b.term; }),
                missing.end());
  std::vector<Entry> added;
  for (const Entry& e : missing) {
    if (!Has(*cur, e)) added.push_back(Entry{e.head, Intern(e.term)});
  }
  if (added.empty()) return;
  auto next = std::make_shared<Version>();
  std::vector<Entry> recent;
  recent.reserve(cur->recent.size() + added.size());
  std::merge(cur->recent.begin(), cur->recent.end(), added.begin(), added.end(),
             std::back_inserter(recent), Less);
  if (recent.size() > 1024 + cur->base->size() / 256) {
    auto base = std::make_shared<std::vector<Entry>>();
    base->reserve(cur->base->size() + recent.size());
    std::merge(cur->base->begin(), cur->base->end(), recent.begin(), recent.end(),
               std::back_inserter(*base), Less);
    next->base = std::move(base);
  } else {
    next->base = cur->base;
    next->recent = std::move(recent);
  }
  std::lock_guard<std::mutex> lock(mu_);
  versions_[kind] = std::move(next);
}

bool TermDictionary::Contains(Kind kind, std::string_view term) const {
  return Has(*Current(kind), Entry{Head(term), term});
}

size_t TermDictionary::size(Kind kind) const {
  std::shared_ptr<const Version> v = Current(kind);
  return v->base->size() + v->recent.size();
}

}  // namespace actiondb::engine
