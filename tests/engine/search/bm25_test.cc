// Tests for BM25: idf and term-frequency formulas against hand-computed values, the effect of
// each parameter, per-field weights, and degenerate statistics.
#include "engine/search/bm25.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace actiondb::search {
namespace {

TEST(Bm25Test, Constants) {
  EXPECT_DOUBLE_EQ(kBm25K1, 1.2);
  EXPECT_DOUBLE_EQ(kBm25B, 0.75);
  EXPECT_DOUBLE_EQ(Bm25Params{}.k1, 1.2);
  EXPECT_DOUBLE_EQ(Bm25Params{}.b, 0.75);
}

TEST(Bm25Test, Idf) {
  // ln(1 + (10 - 2 + 0.5) / (2 + 0.5)) = ln(4.4)
  EXPECT_NEAR(Bm25Idf(10, 2), std::log(4.4), 1e-12);
  EXPECT_NEAR(Bm25Idf(1000, 1), std::log(1 + 999.5 / 1.5), 1e-12);
  // Rare terms weigh more than common ones, and even a term in every document is positive.
  EXPECT_GT(Bm25Idf(1000, 1), Bm25Idf(1000, 10));
  EXPECT_GT(Bm25Idf(1000, 10), Bm25Idf(1000, 1000));
  EXPECT_GT(Bm25Idf(1000, 1000), 0.0);
  // df beyond N is clamped; an empty collection does not divide by zero.
  EXPECT_DOUBLE_EQ(Bm25Idf(10, 50), Bm25Idf(10, 10));
  EXPECT_NEAR(Bm25Idf(0, 0), std::log(2.0), 1e-12);
}

TEST(Bm25Test, TermFrequency) {
  // tf=3, len=100, avg=50: 3 * 2.2 / (3 + 1.2 * (0.25 + 0.75 * 2)) = 6.6 / 5.1
  EXPECT_NEAR(Bm25TermFrequency(3, 100, 50), 6.6 / 5.1, 1e-12);
  // Average length, tf=1: 2.2 / 2.2 = 1.
  EXPECT_NEAR(Bm25TermFrequency(1, 50, 50), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(Bm25TermFrequency(0, 50, 50), 0.0);
  // Saturation: more occurrences help less and less, bounded by k1 + 1.
  const double one = Bm25TermFrequency(1, 50, 50);
  const double two = Bm25TermFrequency(2, 50, 50);
  const double many = Bm25TermFrequency(1000, 50, 50);
  EXPECT_GT(two, one);
  EXPECT_LT(two - one, one);
  EXPECT_LT(many, kBm25K1 + 1);
  // Shorter documents score higher for the same tf.
  EXPECT_GT(Bm25TermFrequency(2, 10, 50), Bm25TermFrequency(2, 200, 50));
  // b = 0 ignores length; k1 = 0 makes tf binary.
  EXPECT_DOUBLE_EQ(Bm25TermFrequency(2, 10, 50, {1.2, 0}), Bm25TermFrequency(2, 200, 50, {1.2, 0}));
  EXPECT_DOUBLE_EQ(Bm25TermFrequency(7, 10, 50, {0, 0.75}), 1.0);
  // A missing average is treated as "average length".
  EXPECT_DOUBLE_EQ(Bm25TermFrequency(2, 10, 0), Bm25TermFrequency(2, 50, 50));
}

TEST(Bm25Test, TermScoreIsIdfTimesTf) {
  EXPECT_NEAR(Bm25TermScore(10, 2, 3, 100, 50), std::log(4.4) * 6.6 / 5.1, 1e-12);
  EXPECT_DOUBLE_EQ(Bm25TermScore(10, 2, 0, 100, 50), 0.0);
}

TEST(Bm25Test, WeightedFields) {
  const double idf = Bm25Idf(100, 5);
  const std::vector<FieldTermStats> title_only = {{3.0, 1, 5, 5}};
  const std::vector<FieldTermStats> body_only = {{1.0, 1, 5, 5}};
  EXPECT_NEAR(Bm25WeightedScore(idf, title_only), 3 * Bm25WeightedScore(idf, body_only), 1e-12);
  const std::vector<FieldTermStats> both = {{3.0, 1, 5, 5}, {1.0, 2, 300, 150}};
  EXPECT_NEAR(Bm25WeightedScore(idf, both),
              idf * (3 * Bm25TermFrequency(1, 5, 5) + Bm25TermFrequency(2, 300, 150)), 1e-12);
  // A zero (or negative) weight contributes nothing.
  const std::vector<FieldTermStats> muted = {{0.0, 4, 5, 5}, {-2.0, 4, 5, 5}};
  EXPECT_DOUBLE_EQ(Bm25WeightedScore(idf, muted), 0.0);
  EXPECT_DOUBLE_EQ(Bm25WeightedScore(idf, {}), 0.0);
}

TEST(Bm25Test, ExpansionWeight) {
  EXPECT_DOUBLE_EQ(ExpansionWeight(0, false), 1.0);
  EXPECT_DOUBLE_EQ(ExpansionWeight(1, false), 0.5);
  EXPECT_DOUBLE_EQ(ExpansionWeight(2, false), 0.25);
  EXPECT_DOUBLE_EQ(ExpansionWeight(0, true), 0.8);
  EXPECT_LT(ExpansionWeight(1, true), ExpansionWeight(1, false));
  EXPECT_GT(ExpansionWeight(0, true), ExpansionWeight(1, false));
}

}  // namespace
}  // namespace actiondb::search
