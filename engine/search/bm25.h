// BM25 relevance scoring with per-field weights.
//
// For a term t and document d:
//   idf(t)      = ln(1 + (N - df + 0.5) / (df + 0.5))          (Lucene's form: always > 0)
//   tfnorm(t,f) = tf * (k1 + 1) / (tf + k1 * (1 - b + b * len_f / avglen_f))
//   score(t,d)  = idf(t) * sum over fields f of weight_f * tfnorm(t, f)
// with k1 = 1.2 and b = 0.75. N is the number of documents with the searched fields, df the
// number containing t, tf the occurrences of t in field f of d, len_f the field's length in
// tokens (stop words included: positions) and avglen_f its mean over the N documents. A query's
// score is the sum over its terms (for an expanded term, of its best expansion, scaled by
// ExpansionWeight). Fields are scored separately and summed, so a title hit at weight 3 counts
// three times a body hit with the same statistics.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

namespace actiondb::search {

inline constexpr double kBm25K1 = 1.2;
inline constexpr double kBm25B = 0.75;

struct Bm25Params {
  double k1 = kBm25K1;
  double b = kBm25B;
};

// Inverse document frequency. df is clamped to [0, doc_count]; doc_count 0 gives ln 2.
double Bm25Idf(uint64_t doc_count, uint64_t doc_freq);

// The saturated, length-normalized term frequency (tfnorm above). 0 if tf is 0. A non-positive
// avg_length is treated as "this document has average length" (length ratio 1). Inline, like
// Bm25WeightedScore: a search scores every posting it reads.
inline double Bm25TermFrequency(double tf, double length, double avg_length,
                                Bm25Params params = {}) {
  if (tf <= 0) return 0;
  const double ratio = avg_length > 0 ? std::max(length, 0.0) / avg_length : 1.0;
  return tf * (params.k1 + 1) / (tf + params.k1 * (1 - params.b + params.b * ratio));
}

// idf * tfnorm for one term in one unweighted field.
double Bm25TermScore(uint64_t doc_count, uint64_t doc_freq, double tf, double length,
                     double avg_length, Bm25Params params = {});

// The statistics of one term in one field of one document.
struct FieldTermStats {
  double weight = 1.0;  // the field's weight (>= 0)
  double tf = 0;
  double length = 0;
  double avg_length = 0;
};

// idf * sum of weight_f * tfnorm_f over the fields.
inline double Bm25WeightedScore(double idf, std::span<const FieldTermStats> fields,
                                Bm25Params params = {}) {
  double sum = 0;
  for (const FieldTermStats& field : fields) {
    sum += std::max(field.weight, 0.0) *
           Bm25TermFrequency(field.tf, field.length, field.avg_length, params);
  }
  return idf * sum;
}

// The factor applied to a term matched through typo or prefix expansion rather than exactly:
// 1 for an exact whole-term match, halved per edit, and 0.8 times that for a prefix-only match.
double ExpansionWeight(int distance, bool prefix_match);

}  // namespace actiondb::search
