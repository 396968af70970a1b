// Performance targets against a run (contract in targets.h).
#include "bench/targets.h"

namespace actiondb::bench {

std::string TargetCheck::Verdict() const {
  if (!value) return "not measured";
  return (at_least ? *value >= threshold : *value <= threshold) ? "met" : "missed";
}

std::vector<TargetCheck> EvaluateTargets(const MedianFn& median) {
  // The median of (engine a, metric x) ÷ that of (engine b, metric y).
  auto quotient = [&](const std::string& a, const std::string& x, const std::string& b,
                      const std::string& y) -> std::optional<double> {
    std::optional<double> p = median(a, x), q = median(b, y);
    if (!p || !q || *q == 0) return std::nullopt;
    return *p / *q;
  };
  std::vector<TargetCheck> out;
  // ActionDB's median of `id` ÷ `other`'s, against `threshold` (at least, or at most).
  auto versus = [&](const std::string& target, const std::string& other, const std::string& id,
                    double threshold, bool at_least) {
    out.push_back({target, "actiondb " + id + " ÷ " + other + " " + id, threshold, at_least,
                   quotient("actiondb", id, other, id)});
  };
  auto vs_sqlite = [&](const std::string& target, const std::string& id, double threshold) {
    versus(target, "sqlite", id, threshold, true);
  };
  vs_sqlite("bulk load >= 2x SQLite", "load", 2);
  vs_sqlite("point get >= 1x SQLite (hot set)", "get", 1);
  vs_sqlite("point get >= 1x SQLite (uniform over all ids)", "get_uniform", 1);
  vs_sqlite("filtered + sorted first page >= 1x SQLite (author page 1)", "author_p1", 1);
  vs_sqlite("filtered + sorted first page >= 1x SQLite (score range)", "score_range", 1);
  // Both in queries per second, so page 1's rate over the deep page's is the deep page's time
  // over page 1's.
  out.push_back({"deep page within 1.2x of the first page's time",
                 "actiondb feed_p1 ÷ actiondb deep_keyset (q/s)", 1.2, false,
                 quotient("actiondb", "feed_p1", "actiondb", "deep_keyset")});
  for (const char* id : {"fts_rare1", "fts_mid1", "fts_common1", "fts_rare2_cooc", "fts_mid2_cooc",
                         "fts_mid2_indep", "fts_common2_indep"}) {
    vs_sqlite(std::string("full-text top 50 >= 1x FTS5 (") + id + ")", id, 1);
  }
  for (const char* id : {"fts_common1", "fts_common2_indep"}) {
    vs_sqlite(std::string("full-text top 50 >= 2x FTS5 on common words (") + id + ")", id, 2);
  }
  vs_sqlite("hot-record increments >= 3x SQLite from 1 thread", "incr_hot_1t", 3);
  for (const char* id : {"disk_load", "disk_compact"}) {  // sizes: lower is better
    versus(std::string("on-disk size <= 1x SQLite (") + id + ")", "sqlite", id, 1, false);
  }
  for (const char* id : {"get", "get_uniform"}) {
    versus(std::string("point get >= 0.7x raw RocksDB (") + id + ")", "rocksdb", id, 0.7, true);
  }
  return out;
}

}  // namespace actiondb::bench
