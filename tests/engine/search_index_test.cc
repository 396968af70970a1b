// Tests for a transaction's pending search writes (SearchPending) and the iterator that lays
// them over the committed index (NewSearchOverlay): every move in both directions, direction
// switches, pending deletes, bounds, and savepoint rollbacks, against a reference map. And the
// posting format: the scoring decoder (DecodePostingStats) against the full one.
#include "engine/search_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace actiondb::engine {
namespace {

using Map = std::map<std::string, std::string>;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// A KvIterator over a sorted map, bounded to [lower, upper): what the committed index returns.
class MapIterator : public KvIterator {
 public:
  MapIterator(const Map* m, std::string lower, std::string upper) {
    for (const auto& [k, v] : *m) {
      if (k >= lower && (upper.empty() || k < upper)) entries_.emplace_back(k, v);
    }
    pos_ = entries_.size();
  }
  void Seek(std::string_view t) override {
    pos_ = 0;
    while (pos_ < entries_.size() && entries_[pos_].first < t) ++pos_;
  }
  void SeekForPrev(std::string_view t) override {
    pos_ = entries_.size();
    for (size_t i = 0; i < entries_.size() && entries_[i].first <= t; ++i) pos_ = i;
  }
  void SeekToFirst() override { pos_ = 0; }
  void SeekToLast() override { pos_ = entries_.empty() ? 0 : entries_.size() - 1; }
  bool Valid() const override { return pos_ < entries_.size(); }
  void Next() override { ++pos_; }
  void Prev() override { pos_ = pos_ == 0 ? entries_.size() : pos_ - 1; }
  std::string_view key() const override { return entries_[pos_].first; }
  std::string_view value() const override { return entries_[pos_].second; }
  Status status() const override { return Status::OK(); }
  uint64_t keys_scanned() const override { return 0; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  size_t pos_;
};

// The committed map with the pending writes applied, restricted to the bounds.
Map Expected(const Map& base, const SearchPending::Writes& writes, const std::string& lower,
             const std::string& upper) {
  Map out = base;
  for (const auto& [k, v] : writes) {
    if (v) {
      out[k] = *v;
    } else {
      out.erase(k);
    }
  }
  Map bounded;
  for (const auto& [k, v] : out) {
    if (k >= lower && (upper.empty() || k < upper)) bounded[k] = v;
  }
  return bounded;
}

std::string RandomKey(std::mt19937& rng) {
  static const char* kAlphabet = "abcd";
  std::string k;
  size_t n = 1 + rng() % 3;
  for (size_t i = 0; i < n; ++i) k.push_back(kAlphabet[rng() % 4]);
  return k;
}

// The text a number or a date is indexed as: what a search for it must type.
TEST(SearchTextsTest, NumbersAndDates) {
  using Texts = std::vector<std::string>;
  EXPECT_EQ(SearchTexts(Value::Number(42)), Texts{"42"});
  EXPECT_EQ(SearchTexts(Value::Number(-7)), Texts{"-7"});
  EXPECT_EQ(SearchTexts(Value::Number(0)), Texts{"0"});
  EXPECT_EQ(SearchTexts(Value::Number(-0.0)), Texts{"0"});  // a Value keeps no negative zero
  EXPECT_EQ(SearchTexts(Value::Number(999999999999999)), Texts{"999999999999999"});
  EXPECT_EQ(SearchTexts(Value::Number(-999999999999999)), Texts{"-999999999999999"});
  EXPECT_EQ(SearchTexts(Value::Number(1e15)), Texts{"1e+15"});
  EXPECT_EQ(SearchTexts(Value::Number(2.5)), Texts{"2.5"});
  EXPECT_EQ(SearchTexts(Value::Number(0.1)), Texts{"0.1"});
  EXPECT_EQ(SearchTexts(Value::DateTime(1709209805007)), Texts{"2024-02-29 12:30:05"});
}

TEST(SearchOverlayTest, MatchesTheMergedMapInEveryDirection) {
  std::mt19937 rng(20261121);
  for (int round = 0; round < 300; ++round) {
    Map base;
    SearchPending pending;
    int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) base[RandomKey(rng)] = "b" + std::to_string(i);
    int w = static_cast<int>(rng() % 12);
    for (int i = 0; i < w; ++i) {
      if (rng() % 3 == 0) {
        pending.Delete(RandomKey(rng));
      } else {
        pending.Put(RandomKey(rng), "p" + std::to_string(i));
      }
    }
    std::string lower = rng() % 2 ? RandomKey(rng) : std::string();
    std::string upper = rng() % 2 ? RandomKey(rng) : std::string();
    const Map want = Expected(base, pending.SortedWrites(), lower, upper);
    auto it = NewSearchOverlay(std::make_unique<MapIterator>(&base, lower, upper),
                               &pending.SortedWrites(), lower, upper);
    SCOPED_TRACE("round " + std::to_string(round) + " lower '" + lower + "' upper '" + upper + "'");

    // Forward and backward full scans.
    Pairs got;
    for (it->SeekToFirst(); it->Valid(); it->Next()) got.emplace_back(it->key(), it->value());
    EXPECT_EQ(got, Pairs(want.begin(), want.end()));
    got.clear();
    for (it->SeekToLast(); it->Valid(); it->Prev()) got.emplace_back(it->key(), it->value());
    EXPECT_EQ(got, Pairs(want.rbegin(), want.rend()));

    // Random walks: seeks, steps and direction switches, each position checked.
    for (int step = 0; step < 40; ++step) {
      std::optional<Map::const_iterator> at;  // where the reference is; nullopt: invalid
      std::string target = RandomKey(rng);
      switch (rng() % 4) {
        case 0:
          it->Seek(target);
          at = want.lower_bound(target);
          break;
        case 1: {
          it->SeekForPrev(target);
          auto u = want.upper_bound(target);
          at = u == want.begin() ? want.end() : std::prev(u);
          break;
        }
        case 2:
          it->SeekToFirst();
          at = want.begin();
          break;
        default:
          it->SeekToLast();
          at = want.empty() ? want.end() : std::prev(want.end());
      }
      for (int moves = 0; moves < 6; ++moves) {
        ASSERT_EQ(it->Valid(), *at != want.end());
        if (!it->Valid()) break;
        EXPECT_EQ(it->key(), (*at)->first);
        EXPECT_EQ(it->value(), (*at)->second);
        if (rng() % 2) {
          it->Next();
          ++*at;
        } else {
          it->Prev();
          *at = *at == want.begin() ? want.end() : std::prev(*at);
        }
      }
    }
  }
}

TEST(SearchPendingTest, SavepointsUndoWritesAndStatistics) {
  SearchPending p;
  p.Put("a", "1");
  p.AddStat("n", 2);
  p.SetSavePoint();
  p.Put("a", "2");
  p.Delete("b");
  p.Put("c", "3");
  p.AddStat("n", 5);
  p.AddStat("m", -1);
  p.SetSavePoint();
  p.Delete("a");
  EXPECT_FALSE(p.Find("a")->has_value());
  ASSERT_TRUE(p.RollbackToSavePoint());
  ASSERT_NE(p.Find("a"), nullptr);
  EXPECT_EQ(**p.Find("a"), "2");
  ASSERT_TRUE(p.RollbackToSavePoint());
  EXPECT_EQ(**p.Find("a"), "1");
  EXPECT_EQ(p.Find("b"), nullptr);  // untouched again, not "deleted"
  EXPECT_EQ(p.Find("c"), nullptr);
  EXPECT_EQ(p.Stat("n"), 2);
  EXPECT_EQ(p.Stat("m"), 0);
  EXPECT_FALSE(p.RollbackToSavePoint());
  EXPECT_EQ(p.SortedWrites().size(), 1u);
  p.Clear();
  EXPECT_TRUE(p.SortedWrites().empty());
  EXPECT_TRUE(p.SortedStats().empty());
}

// The writes are a log indexed on first read: against a plain map (copied at each
// savepoint), random puts, deletes, reads, savepoints and rollbacks must agree on every read,
// on the sorted view, and on what ForEachSorted writes (each key once, its last value, in key
// order), whether or not a read built the index before a rollback.
TEST(SearchPendingTest, LogAgreesWithAMapUnderRandomWritesAndRollbacks) {
  using Model = std::map<std::string, std::optional<std::string>>;
  uint64_t x = 7;
  auto next = [&](uint64_t n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (x >> 33) % n;
  };
  for (int round = 0; round < 200; ++round) {
    SearchPending p;
    Model model;
    std::vector<Model> saved;
    for (int step = 0; step < 60; ++step) {
      std::string key = "k" + std::to_string(next(12));
      switch (next(8)) {
        case 0:
        case 1:
        case 2: {
          std::string v = "v" + std::to_string(step);
          p.Put(key, v);
          model[key] = v;
          break;
        }
        case 3:
          p.Delete(key);
          model[key] = std::nullopt;
          break;
        case 4: {
          const std::optional<std::string>* got = p.Find(key);
          auto want = model.find(key);
          ASSERT_EQ(got != nullptr, want != model.end()) << key;
          if (got) {
            EXPECT_EQ(*got, want->second) << key;
          }
          break;
        }
        case 5:
          p.SetSavePoint();
          saved.push_back(model);
          break;
        case 6:
          ASSERT_EQ(p.RollbackToSavePoint(), !saved.empty());
          if (!saved.empty()) {
            model = saved.back();
            saved.pop_back();
          }
          break;
        default:
          ASSERT_EQ(p.SortedWrites().size(), model.size());
          EXPECT_TRUE(std::equal(model.begin(), model.end(), p.SortedWrites().begin()));
      }
    }
    Model written;
    std::vector<std::string> order;
    p.ForEachSorted(
        [&](const std::string& k, const std::string& v) {
          order.push_back(k);
          written[k] = v;
        },
        [&](const std::string& k) {
          order.push_back(k);
          written[k] = std::nullopt;
        },
        [](const std::string&, int64_t) {});
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
    EXPECT_EQ(std::adjacent_find(order.begin(), order.end()), order.end()) << "a key twice";
    EXPECT_EQ(written, model);
  }
}

// KeyOrder is a stable byte-order sort: against std::stable_sort on keys made to hit its edges
// (a long shared prefix, keys that are prefixes of others, zero bytes where its padding goes,
// differences past the 8 bytes it caches, empty keys, repeats).
TEST(KeyOrderTest, AgreesWithAStableSort) {
  std::mt19937_64 rng(11);
  const std::string alphabet("\x00\x01az\xff", 5);
  for (int round = 0; round < 300; ++round) {
    std::string prefix(rng() % 3 == 0 ? 0 : rng() % 12, 'P');
    std::vector<std::string> owned;
    size_t n = rng() % 200;
    for (size_t i = 0; i < n; ++i) {
      if (!owned.empty() && rng() % 5 == 0) {  // a repeat, or an extension of an earlier key
        std::string k = owned[rng() % owned.size()];
        if (rng() % 2) k.push_back(alphabet[rng() % alphabet.size()]);
        owned.push_back(k);
        continue;
      }
      std::string k = rng() % 9 == 0 ? std::string() : prefix;
      size_t len = rng() % 14;
      for (size_t j = 0; j < len; ++j) k.push_back(alphabet[rng() % alphabet.size()]);
      owned.push_back(k);
    }
    std::vector<std::string_view> keys(owned.begin(), owned.end());
    std::vector<uint32_t> want(keys.size());
    for (uint32_t i = 0; i < want.size(); ++i) want[i] = i;
    std::stable_sort(want.begin(), want.end(),
                     [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
    ASSERT_EQ(KeyOrder(keys), want) << "round " << round;
  }
  EXPECT_TRUE(KeyOrder({}).empty());
}

// The scoring decoder reads what the full decoder reads, less the positions, and refuses the
// same malformed bytes: random postings, then every truncation and single-byte change of them.
TEST(PostingFormatTest, StatsDecoderAgreesWithTheFullDecoder) {
  std::mt19937 rng(7);
  auto agree = [](std::string_view bytes) {
    std::vector<PostingField> full;
    std::vector<PostingFieldStats> stats = {{9, 9, 9}};  // stale scratch is replaced
    bool full_ok = DecodePosting(bytes, &full);
    bool stats_ok = DecodePostingStats(bytes, &stats);
    EXPECT_EQ(full_ok, stats_ok);
    if (!full_ok || !stats_ok) return full_ok == stats_ok;
    EXPECT_EQ(full.size(), stats.size());
    if (full.size() != stats.size()) return false;
    for (size_t i = 0; i < full.size(); ++i) {
      EXPECT_EQ(full[i].field_id, stats[i].field_id);
      EXPECT_EQ(full[i].length, stats[i].length);
      EXPECT_EQ(full[i].positions.size(), stats[i].tf);
    }
    return true;
  };
  size_t malformed = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<PostingField> fields(rng() % 4);
    uint16_t fid = 0;
    for (auto& f : fields) {
      fid = static_cast<uint16_t>(fid + 1 + rng() % 300);
      f.field_id = fid;
      uint32_t pos = rng() % 3 == 0 ? (1u << 30) : 0;  // some positions take 5-byte varints
      for (uint32_t n = 1 + rng() % 6; n > 0; --n) {
        pos += rng() % 200;
        f.positions.push_back(pos);
      }
      f.length = pos + 1;
    }
    const std::string bytes = EncodePosting(fields);
    std::vector<PostingFieldStats> stats;
    ASSERT_TRUE(DecodePostingStats(bytes, &stats));
    ASSERT_TRUE(agree(bytes));
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      malformed += !DecodePostingStats(bytes.substr(0, cut), &stats);
      ASSERT_TRUE(agree(bytes.substr(0, cut))) << "truncated at " << cut;
    }
    for (size_t at = 0; at < bytes.size(); ++at) {
      std::string changed = bytes;
      changed[at] = static_cast<char>(rng());
      ASSERT_TRUE(agree(changed)) << "byte " << at << " changed";
      ASSERT_TRUE(agree(bytes + changed.substr(at, 1))) << "a trailing byte";
    }
  }
  EXPECT_GT(malformed, 100u);  // the truncations did exercise the refusals
}

}  // namespace
}  // namespace actiondb::engine
