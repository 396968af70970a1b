// The performance targets, checked against one run of the workload driver: each target
// as a number from the run's medians, its threshold, and whether the run meets it. The driver
// prints them after its table and writes them into the JSON and Markdown reports
// (docs/benchmarks.md, "Targets"), so that a report says itself where a target is missed.
//
// Targets (ActionDB against SQLite in the same run, unless said otherwise):
//   bulk load >= 2x; point get >= 1x (the hot set and uniform over every id); filtered + sorted
//   first page >= 1x (author page 1, score range page); a deep page within 1.2x of the first
//   page's time (ActionDB's own feed pages); full-text top 50 >= 1x FTS5 for every query class
//   and >= 2x for common words; hot-record increments from 1 thread >= 3x; on-disk size <= 1x
//   (after the load and after a full compaction); point get >= 0.7x raw RocksDB's (both kinds).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace actiondb::bench {

struct TargetCheck {
  std::string target;  // what the issue asks, e.g. "bulk load >= 2x SQLite"
  std::string basis;   // how the value is computed from the run's metrics
  double threshold = 0;
  bool at_least = true;         // met when value >= threshold; else when value <= threshold
  std::optional<double> value;  // nullopt: the run lacks a metric it needs
  // "met", "missed" or "not measured".
  std::string Verdict() const;
};

// The median of metric `id` for engine `engine` ("actiondb", "sqlite", "rocksdb"), or nullopt
// when that engine did not measure it (not run, unsupported, failed).
using MedianFn =
    std::function<std::optional<double>(const std::string& engine, const std::string& id)>;

// Every target, in the order above.
std::vector<TargetCheck> EvaluateTargets(const MedianFn& median);

}  // namespace actiondb::bench
