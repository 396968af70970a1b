// The in-memory term dictionary (contract in term_dictionary.h).
#include "engine/term_dictionary.h"

#include <mutex>

namespace actiondb::engine {

void TermDictionary::Add(Kind kind, const std::vector<std::string_view>& terms) {
  std::vector<std::string_view> missing;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (std::string_view t : terms) {
      if (Held(t) && sets_[kind].find(t) == sets_[kind].end()) missing.push_back(t);
    }
  }
  if (missing.empty()) return;
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (std::string_view t : missing) sets_[kind].emplace(t);
}

bool TermDictionary::LowerBound(Kind kind, std::string_view target, std::string* out) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = sets_[kind].lower_bound(target);
  if (it == sets_[kind].end()) return false;
  out->assign(*it);
  return true;
}

bool TermDictionary::UpperBound(Kind kind, std::string_view after, std::string* out) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = sets_[kind].upper_bound(after);
  if (it == sets_[kind].end()) return false;
  out->assign(*it);
  return true;
}

bool TermDictionary::Contains(Kind kind, std::string_view term) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return sets_[kind].find(term) != sets_[kind].end();
}

size_t TermDictionary::size(Kind kind) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return sets_[kind].size();
}

}  // namespace actiondb::engine
