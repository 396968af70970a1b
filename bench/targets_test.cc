// The targets' arithmetic (bench/targets.h): which metrics each target divides, which way it
// compares, and what a run that lacks a metric says.
#include "bench/targets.h"

#include <gtest/gtest.h>

#include <map>
#include <utility>

namespace actiondb::bench {
namespace {

using Medians = std::map<std::pair<std::string, std::string>, double>;

std::vector<TargetCheck> Evaluate(const Medians& m) {
  return EvaluateTargets([&](const std::string& engine, const std::string& id) {
    auto it = m.find({engine, id});
    return it == m.end() ? std::nullopt : std::optional<double>(it->second);
  });
}

const TargetCheck& Find(const std::vector<TargetCheck>& all, const std::string& target) {
  for (const TargetCheck& t : all) {
    if (t.target == target) return t;
  }
  ADD_FAILURE() << "no target " << target;
  static const TargetCheck kNone;
  return kNone;
}

TEST(TargetsTest, RatiosAgainstSqliteAndRocksDbCompareTheWayTheIssueSays) {
  Medians m = {
      {{"actiondb", "load"}, 5000},         {{"sqlite", "load"}, 30000},
      {{"actiondb", "get"}, 800000},        {{"sqlite", "get"}, 400000},
      {{"rocksdb", "get"}, 2000000},        {{"actiondb", "disk_load"}, 70},
      {{"sqlite", "disk_load"}, 70},        {{"actiondb", "disk_compact"}, 61},
      {{"sqlite", "disk_compact"}, 68},     {{"actiondb", "fts_common1"}, 400},
      {{"sqlite", "fts_common1"}, 200},     {{"actiondb", "incr_hot_1t"}, 20000},
      {{"sqlite", "incr_hot_1t"}, 60000},   {{"actiondb", "feed_p1"}, 12000},
      {{"actiondb", "deep_keyset"}, 10000},
  };
  const std::vector<TargetCheck> all = Evaluate(m);

  const TargetCheck& load = Find(all, "bulk load >= 2x SQLite");
  ASSERT_TRUE(load.value.has_value());
  EXPECT_DOUBLE_EQ(*load.value, 5000.0 / 30000);
  EXPECT_EQ(load.Verdict(), "missed");

  const TargetCheck& get = Find(all, "point get >= 1x SQLite (hot set)");
  EXPECT_DOUBLE_EQ(get.value.value_or(0), 2.0);
  EXPECT_EQ(get.Verdict(), "met");
  const TargetCheck& raw = Find(all, "point get >= 0.7x raw RocksDB (get)");
  EXPECT_DOUBLE_EQ(raw.value.value_or(0), 0.4);
  EXPECT_EQ(raw.Verdict(), "missed");

  // Lower is better: equal sizes meet "<= 1x", and a smaller one does too.
  EXPECT_EQ(Find(all, "on-disk size <= 1x SQLite (disk_load)").Verdict(), "met");
  const TargetCheck& compact = Find(all, "on-disk size <= 1x SQLite (disk_compact)");
  EXPECT_DOUBLE_EQ(compact.value.value_or(0), 61.0 / 68);
  EXPECT_EQ(compact.Verdict(), "met");

  // Exactly at the threshold meets it.
  EXPECT_EQ(Find(all, "full-text top 50 >= 2x FTS5 on common words (fts_common1)").Verdict(),
            "met");
  EXPECT_EQ(Find(all, "full-text top 50 >= 1x FTS5 (fts_common1)").Verdict(), "met");
  EXPECT_EQ(Find(all, "hot-record increments >= 3x SQLite from 1 thread").Verdict(), "missed");

  // The deep page: page 1's rate over the deep page's, i.e. the deep page's time over page 1's.
  const TargetCheck& deep = Find(all, "deep page within 1.2x of the first page's time");
  EXPECT_DOUBLE_EQ(deep.value.value_or(0), 1.2);
  EXPECT_EQ(deep.Verdict(), "met");
  m[{"actiondb", "deep_keyset"}] = 9000;  // 1.33x
  EXPECT_EQ(Find(Evaluate(m), "deep page within 1.2x of the first page's time").Verdict(),
            "missed");
}

TEST(TargetsTest, AMissingMetricOrEngineIsNotMeasuredNeverMet) {
  Medians m = {{{"actiondb", "load"}, 5000}, {{"actiondb", "get"}, 1}, {{"sqlite", "get"}, 0}};
  const std::vector<TargetCheck> all = Evaluate(m);
  ASSERT_FALSE(all.empty());
  for (const TargetCheck& t : all) {
    EXPECT_FALSE(t.value.has_value()) << t.target;
    EXPECT_EQ(t.Verdict(), "not measured") << t.target;
  }
  // Every target of the issue is listed once.
  EXPECT_EQ(all.size(), 20u);
}

}  // namespace
}  // namespace actiondb::bench
