// BM25 scoring; the formulas are at the top of bm25.h.
#include "engine/search/bm25.h"

#include <algorithm>
#include <cmath>

namespace actiondb::search {

double Bm25Idf(uint64_t doc_count, uint64_t doc_freq) {
  const double n = static_cast<double>(doc_count);
  const double df = static_cast<double>(std::min(doc_freq, doc_count));
  return std::log(1.0 + (n - df + 0.5) / (df + 0.5));
}

double Bm25TermScore(uint64_t doc_count, uint64_t doc_freq, double tf, double length,
                     double avg_length, Bm25Params params) {
  return Bm25Idf(doc_count, doc_freq) * Bm25TermFrequency(tf, length, avg_length, params);
}

double ExpansionWeight(int distance, bool prefix_match) {
  const double weight = std::ldexp(1.0, -std::max(distance, 0));
  return prefix_match ? 0.8 * weight : weight;
}

}  // namespace actiondb::search
