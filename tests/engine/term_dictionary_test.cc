// The in-memory term dictionary (engine/term_dictionary.h): a cursor over a version walks
// exactly the sorted set of held terms that version was published with, whatever is added
// later, across the folds of `recent` into `base`; compared with a std::set model.
#include "engine/term_dictionary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace actiondb::engine {
namespace {

using Kind = TermDictionary::Kind;

// Terms that share long prefixes (so the 8-byte heads tie and the arena bytes decide), with
// non-ASCII bytes (which must order as unsigned, after every ASCII letter), and some that the
// dictionary must not hold (digits and punctuation first).
std::string RandomTerm(std::mt19937_64& rng) {
  static const std::vector<std::string> kPrefixes = {
      "", "international", "internationa", "a", "\xC3\xA9t\xC3\xA9", "zz", "9", "-x"};
  static const std::string kAlphabet = "abcz\xC3\xA9";
  std::string t = kPrefixes[rng() % kPrefixes.size()];
  const size_t extra = rng() % 6;
  for (size_t i = 0; i < extra; ++i) t += kAlphabet[rng() % kAlphabet.size()];
  return t;
}

std::vector<std::string> Walk(TermDictionary::Cursor c, std::string_view from) {
  std::vector<std::string> out;
  for (c.Seek(from); c.Valid(); c.Next()) out.emplace_back(c.term());
  return out;
}

std::vector<std::string> ModelWalk(const std::set<std::string>& model, const std::string& from) {
  return {model.lower_bound(from), model.end()};
}

TEST(TermDictionary, HoldsOnlyTermsFromTheFirstLetterByteOn) {
  TermDictionary dict;
  dict.Add(TermDictionary::kTerms, {"apple", "2024", "-dash", "", "@at", "\xC3\xA9t\xC3\xA9"});
  EXPECT_TRUE(dict.Contains(TermDictionary::kTerms, "apple"));
  EXPECT_TRUE(dict.Contains(TermDictionary::kTerms, "@at"));
  EXPECT_TRUE(dict.Contains(TermDictionary::kTerms, "\xC3\xA9t\xC3\xA9"));
  EXPECT_FALSE(dict.Contains(TermDictionary::kTerms, "2024"));
  EXPECT_FALSE(dict.Contains(TermDictionary::kTerms, "-dash"));
  EXPECT_FALSE(dict.Contains(TermDictionary::kTerms, ""));
  EXPECT_EQ(dict.size(TermDictionary::kTerms), 3u);
  // The kinds are separate dictionaries.
  EXPECT_FALSE(dict.Contains(TermDictionary::kSurfaces, "apple"));
  EXPECT_EQ(dict.size(TermDictionary::kSurfaces), 0u);
  // Adding again (and duplicates within one call) changes nothing.
  dict.Add(TermDictionary::kTerms, {"apple", "apple", "@at"});
  EXPECT_EQ(dict.size(TermDictionary::kTerms), 3u);
}

TEST(TermDictionary, OrdersBytewiseWhenHeadsTie) {
  TermDictionary dict;
  // The same first 8 bytes: the order is decided past them, and a proper prefix comes first.
  dict.Add(TermDictionary::kTerms, {"internationalz", "internat", "international", "internationa",
                                    "internat\xC3\xA9", "internatA"});
  TermDictionary::Cursor c(dict.Current(TermDictionary::kTerms));
  EXPECT_EQ(Walk(c, ""),
            (std::vector<std::string>{"internat", "internatA", "internationa", "international",
                                      "internationalz", "internat\xC3\xA9"}));
  EXPECT_EQ(Walk(c, "internation"),
            (std::vector<std::string>{"internationa", "international", "internationalz",
                                      "internat\xC3\xA9"}));
  EXPECT_TRUE(Walk(c, "internat\xC3\xAA").empty());
  EXPECT_TRUE(Walk(c, "\xFF").empty());
}

// Terms longer than an arena chunk (64 KiB) get a chunk of their own; the short terms added
// after one must not land inside it (under ASan a write past it fails here).
TEST(TermDictionary, KeepsTermsLongerThanAnArenaChunk) {
  TermDictionary dict;
  const std::string long_a(70 * 1024, 'a'), long_b(20 * 1024, 'b');
  dict.Add(TermDictionary::kTerms, {"middle"});
  dict.Add(TermDictionary::kTerms, {long_a});
  dict.Add(TermDictionary::kTerms, {"zebra", "quartz"});
  dict.Add(TermDictionary::kTerms, {long_b, "yak"});
  TermDictionary::Cursor c(dict.Current(TermDictionary::kTerms));
  EXPECT_EQ(Walk(c, ""),
            (std::vector<std::string>{long_a, long_b, "middle", "quartz", "yak", "zebra"}));
}

TEST(TermDictionary, CursorsMatchASortedSetAcrossFoldsAndKeepTheirVersion) {
  std::mt19937_64 rng(7);
  TermDictionary dict;
  std::set<std::string> model;
  struct Snapshot {
    std::shared_ptr<const TermDictionary::Version> version;
    std::set<std::string> model;
  };
  std::vector<Snapshot> snapshots;
  // ~3,000 distinct held terms in batches of up to 300: `recent` folds into `base` several
  // times (its cap is 1,024 + base/256).
  for (int batch = 0; batch < 60; ++batch) {
    std::vector<std::string> terms;
    const size_t n = 1 + rng() % 300;
    for (size_t i = 0; i < n; ++i) terms.push_back(RandomTerm(rng));
    std::vector<std::string_view> views(terms.begin(), terms.end());
    dict.Add(TermDictionary::kTerms, views);
    for (const auto& t : terms) {
      if (TermDictionary::Held(t)) model.insert(t);
    }
    ASSERT_EQ(dict.size(TermDictionary::kTerms), model.size()) << "batch " << batch;
    if (batch % 7 == 0) snapshots.push_back({dict.Current(TermDictionary::kTerms), model});
  }
  ASSERT_GT(model.size(), 2500u);
  snapshots.push_back({dict.Current(TermDictionary::kTerms), model});
  // Both arrays are exercised: the last version has folded terms and recent ones.
  EXPECT_GT(snapshots.back().version->base->size(), 1024u);
  EXPECT_FALSE(snapshots.back().version->recent.empty());

  for (const Snapshot& s : snapshots) {
    TermDictionary::Cursor c(s.version);
    EXPECT_EQ(Walk(c, ""), ModelWalk(s.model, ""));
    // Seeks forward and backward from wherever the cursor is, then a few steps.
    for (int i = 0; i < 400; ++i) {
      const std::string target = RandomTerm(rng);
      c.Seek(target);
      auto it = s.model.lower_bound(target);
      for (int step = 0; step < 3; ++step, ++it) {
        if (it == s.model.end()) {
          ASSERT_FALSE(c.Valid()) << "seek " << target << " step " << step;
          break;
        }
        ASSERT_TRUE(c.Valid()) << "seek " << target << " step " << step;
        ASSERT_EQ(c.term(), *it) << "seek " << target << " step " << step;
        c.Next();
      }
    }
  }
  for (const auto& t : model) ASSERT_TRUE(dict.Contains(TermDictionary::kTerms, t)) << t;
  EXPECT_FALSE(dict.Contains(TermDictionary::kTerms, "not-a-term-here"));
}

TEST(TermDictionary, ReadersWalkWhileWritersAdd) {
  TermDictionary dict;
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&dict, w] {
      for (int i = 0; i < 3000; ++i) {
        const std::string t = "w" + std::to_string(w) + "t" + std::to_string(i);
        dict.Add(TermDictionary::kTerms, {t});
      }
    });
  }
  // A reader's version is always sorted and never shrinks.
  size_t last = 0;
  for (int round = 0; round < 200; ++round) {
    TermDictionary::Cursor c(dict.Current(TermDictionary::kTerms));
    std::vector<std::string> seen = Walk(c, "");
    ASSERT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    ASSERT_GE(seen.size(), last);
    last = seen.size();
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(dict.size(TermDictionary::kTerms), 6000u);
  TermDictionary::Cursor c(dict.Current(TermDictionary::kTerms));
  EXPECT_EQ(Walk(c, "w1").size(), 3000u);
}

}  // namespace
}  // namespace actiondb::engine
