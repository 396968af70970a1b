// Search stage (contract in search.h): parse, expand each term over the term dictionary, score
// term-at-a-time with BM25 over sequential posting scans (or seeks into a posting list when
// the candidates are few), narrow the candidates, check phrases and exclusions.
#include "query/search.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "engine/key_format.h"
#include "engine/search/bm25.h"
#include "engine/search/query_parser.h"
#include "engine/search_index.h"

namespace actiondb::query {

using engine::KvIterator;
using engine::ModelInfo;
using engine::PostingField;
using engine::PostingFieldStats;
using engine::SearchReader;

double SearchFieldWeight(double average_length, double longest_average_length) {
  if (longest_average_length <= 0) return 1.0;
  return 1.0 + 2.0 * std::clamp(1.0 - average_length / longest_average_length, 0.0, 1.0);
}

namespace {

// When a posting list is this many times longer than the candidate set, seek to each
// candidate instead of scanning the list.
constexpr uint64_t kSeekRatio = 16;

struct Expansion {
  std::string term;
  double weight = 1;
  int edits = 0;  // typos: the edits of the walk that found it (0: exact, prefix, synonym)
  int64_t df = 0;
  std::string how;  // "exact", "1 edit", "prefix", "synonym", ...
};

struct Group {
  std::string label;
  std::vector<Expansion> expansions;
  int64_t total_df = 0;
};

// A matching record: its typo count (summed over the terms so far) and its score.
struct Hit {
  uint64_t id = 0;
  uint32_t tier = 0;
  double score = 0;
};
// Scores by record id, ascending id.
using Scored = std::vector<Hit>;

bool ById(const Hit& a, const Hit& b) { return a.id < b.id; }
// For one term, whether expansion match `a` counts over `b`: fewer typos, then a higher score.
bool Better(const Hit& a, const Hit& b) {
  return a.tier != b.tier ? a.tier < b.tier : a.score > b.score;
}

class Searcher {
 public:
  Searcher(ExecContext& ctx, const ModelInfo& model) : ctx_(ctx), reader_(ctx.view, model) {}
  ~Searcher() {
    if (postings_) ctx_.keys_scanned += postings_->keys_scanned();
  }
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  Status Init() {
    ASSIGN_OR_RETURN(stats_, reader_.ReadStats());
    doc_count_ = static_cast<uint64_t>(std::max<int64_t>(0, stats_.doc_count));
    double longest = 0;
    for (const auto& [fid, total] : stats_.field_tokens) {
      longest = std::max(longest, stats_.AverageLength(fid));
    }
    for (const auto& [fid, total] : stats_.field_tokens) {
      double avg = stats_.AverageLength(fid);
      if (fid >= fields_.size()) fields_.resize(fid + 1);
      fields_[fid] = {SearchFieldWeight(avg, longest), avg};
    }
    return Status::OK();
  }

  double Idf(int64_t df) const {
    return search::Bm25Idf(doc_count_, static_cast<uint64_t>(std::max<int64_t>(0, df)));
  }

  // BM25 of one posting (PostingField or PostingFieldStats), unweighted by expansion.
  template <typename Field>
  double Score(const std::vector<Field>& fields, double idf) {
    field_stats_.clear();
    for (const Field& f : fields) {
      const FieldParams p = f.field_id < fields_.size() ? fields_[f.field_id] : FieldParams{};
      field_stats_.push_back(
          {p.weight, static_cast<double>(Tf(f)), static_cast<double>(f.length), p.average_length});
    }
    return search::Bm25WeightedScore(idf, field_stats_);
  }
  static size_t Tf(const PostingField& f) { return f.positions.size(); }
  static size_t Tf(const PostingFieldStats& f) { return f.tf; }

  Status Malformed(const std::string& term) const {
    return Status(Code::kInvalidStoredData,
                  reader_.model().api_identifier + ": malformed posting for \"" + term + "\"");
  }

  // Calls fn(id, posting bytes, i) -> Status for each posting of `term`, in id order,
  // restricted to the sorted `only` ids when given (seeking to each when the list is much
  // longer than `only`); i is the id's index in `only` (0 without it). All terms of a search share
  // one iterator over the model's postings, sought from term to term (creating a RocksDB iterator
  // per expansion cost more than the seek).
  template <typename Fn>
  Status ForEachPosting(const std::string& term, int64_t df, const std::vector<uint64_t>* only,
                        Fn fn) {
    if (!postings_) postings_ = reader_.NewModelPostingIterator();
    KvIterator* it = postings_.get();
    const std::string prefix = engine::keys::SearchPostingPrefix(reader_.model().id, term);
    // On a posting of `term` (the next term's keys follow it in the shared iterator).
    auto in_term = [&] {
      if (!it->Valid()) return false;
      const std::string_view k = it->key();
      return k.size() == prefix.size() + 8 && k.starts_with(prefix);
    };
    auto visit = [&](size_t i) -> Status {
      ++outcome_.postings_read;
      return fn(engine::PostingRecordId(it->key()), it->value(), i);
    };
    Status st;
    if (only && static_cast<uint64_t>(std::max<int64_t>(df, 0)) > only->size() * kSeekRatio) {
      std::string key = prefix;
      for (size_t i = 0; i < only->size(); ++i) {
        key.resize(prefix.size());
        engine::keys::PutBE64(&key, (*only)[i]);
        it->Seek(key);
        if (!it->Valid() || it->key() != key) continue;
        st = visit(i);
        if (!st.ok()) break;
      }
    } else {
      size_t next = 0;
      for (it->Seek(prefix); in_term(); it->Next()) {
        uint64_t id = engine::PostingRecordId(it->key());
        if (only) {
          while (next < only->size() && (*only)[next] < id) ++next;
          if (next == only->size()) break;
          if ((*only)[next] != id) continue;
        }
        st = visit(next);
        if (!st.ok()) break;
      }
    }
    RETURN_IF_ERROR(st);
    return it->status();
  }

  // The dictionary terms `qt` matches. With `typos` false only those it matches without a
  // typo: its stem, the prefix extensions of the word being typed, and synonyms (the typo-free
  // tier, which ranks above every typo'd match).
  Result<Group> Expand(const search::QueryTerm& qt, const std::vector<SynonymSet>& synonyms,
                       bool typos) {
    // term -> (edits, weight, how): per term the walk with the fewest edits counts, then the
    // highest weight.
    struct Found {
      int edits;
      double weight;
      std::string how;
    };
    std::map<std::string, Found> best;
    auto add = [&](const std::string& term, int edits, double weight, std::string how) {
      auto it = best.find(term);
      if (it == best.end()) {
        best.emplace(term, Found{edits, weight, std::move(how)});
      } else if (edits < it->second.edits ||
                 (edits == it->second.edits && weight > it->second.weight)) {
        it->second = Found{edits, weight, std::move(how)};
      }
    };
    auto how_of = [](const search::FuzzyMatch& m) -> std::string {
      if (m.distance == 0) return m.prefix_match ? "prefix" : "exact";
      std::string edits = std::to_string(m.distance) + " edit";
      return m.prefix_match ? "prefix+" + edits : edits;
    };
    const int edits = typos ? qt.max_edits : 0;
    add(qt.term, 0, 1.0, "exact");
    const search::Analyzer& analyzer = engine::SearchAnalyzer();
    // Prefix walks first. One that returned fewer than kMaxExpansions terms is complete, and
    // then it holds every whole-term match of its string within the budget, with at most the
    // edits the typo walk would give it (a term's closest prefix is at most as far as the
    // term); `add` keeps the fewer edits, so a typo walk of the same string adds nothing.
    // Walks are most of a rare word's expansion cost.
    auto walk = [&](search::TermCursor& cursor, const std::string& text, bool prefix,
                    bool surfaces) {
      std::vector<search::FuzzyMatch> found =
          search::FuzzyExpand(cursor, text, edits, prefix, kMaxExpansions);
      for (const auto& m : found) {
        add(surfaces ? analyzer.Stem(m.term) : m.term, m.distance,
            search::ExpansionWeight(m.distance, m.prefix_match), how_of(m));
      }
      return found.size() < kMaxExpansions;
    };
    auto cursor = reader_.NewDictionaryCursor();
    const bool stem_prefix_complete = qt.prefix && walk(*cursor, qt.text, true, false);
    if (edits > 0 && !(stem_prefix_complete && qt.text == qt.term)) {
      walk(*cursor, qt.term, false, false);
    }
    // The same over the surface dictionary (what users type), mapped to stems: catches typos
    // and prefixes where the stemmer treats the typed word and the real one differently
    // ("hpuse" vs "house" -> "hous", "runni" -> "running" -> "run").
    auto surfaces = reader_.NewSurfaceCursor();
    const bool surface_prefix_complete = qt.prefix && walk(*surfaces, qt.text, true, true);
    if (edits > 0 && !surface_prefix_complete) walk(*surfaces, qt.text, false, true);
    RETURN_IF_ERROR(reader_.status());
    // Synonyms, both ways: any set with a word of the same stem contributes its other words.
    for (const auto& set : synonyms) {
      std::vector<std::string> stems;
      bool hit = false;
      for (const auto& w : set.words) {
        auto tokens = analyzer.Analyze(w);
        if (tokens.size() != 1) continue;  // multi-word synonyms are not supported
        hit = hit || tokens[0].term == qt.term;
        stems.push_back(tokens[0].term);
      }
      if (!hit) continue;
      for (const auto& s : stems) {
        if (s != qt.term) add(s, 0, kSynonymWeight, "synonym");
      }
    }
    Group g;
    g.label = qt.text;
    // The expansions' document frequencies in one batch: the stem walks' terms are remembered
    // from their confirmation, the stems of surface matches are not (one point read each
    // before, session 30).
    std::vector<std::string_view> terms;
    terms.reserve(best.size());
    for (const auto& [term, f] : best) terms.push_back(term);
    std::vector<int64_t> dfs;
    RETURN_IF_ERROR(reader_.DocFreqMany(terms, &dfs));
    size_t i = 0;
    for (auto& [term, f] : best) {
      const int64_t df = dfs[i++];
      if (df <= 0) continue;
      g.expansions.push_back({term, f.weight, f.edits, df, std::move(f.how)});
      g.total_df += df;
    }
    return g;
  }

  // Phrase matching for `ids` (sorted): id -> summed BM25 of the phrase terms for the records
  // that contain the phrase.
  Result<std::unordered_map<uint64_t, double>> MatchPhrase(const search::QueryPhrase& phrase,
                                                           const std::vector<uint64_t>* ids) {
    std::unordered_map<uint64_t, double> out;
    size_t n = phrase.tokens.size();
    std::vector<int64_t> dfs(n);
    for (size_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(dfs[i], reader_.DocFreq(phrase.tokens[i].term));
      if (dfs[i] <= 0) return out;
    }
    // Candidates: the given ids, or the records of the rarest token.
    std::vector<uint64_t> cands;
    if (ids) {
      cands = *ids;
    } else {
      size_t rare = std::min_element(dfs.begin(), dfs.end()) - dfs.begin();
      RETURN_IF_ERROR(ForEachPosting(phrase.tokens[rare].term, dfs[rare], nullptr,
                                     [&](uint64_t id, std::string_view, size_t) {
                                       cands.push_back(id);
                                       return Status::OK();
                                     }));
    }
    // Per token, the postings of the candidates.
    std::vector<std::unordered_map<uint64_t, std::vector<PostingField>>> per(n);
    for (size_t i = 0; i < n && !cands.empty(); ++i) {
      RETURN_IF_ERROR(ForEachPosting(phrase.tokens[i].term, dfs[i], &cands,
                                     [&](uint64_t id, std::string_view v, size_t) {
                                       if (!engine::DecodePosting(v, &per[i][id])) {
                                         return Malformed(phrase.tokens[i].term);
                                       }
                                       return Status::OK();
                                     }));
      std::vector<uint64_t> kept;
      for (uint64_t id : cands) {
        if (per[i].count(id)) kept.push_back(id);
      }
      cands.swap(kept);
    }
    for (uint64_t id : cands) {
      bool found = false;
      for (const auto& f0 : per[0][id]) {
        for (uint32_t p0 : f0.positions) {
          bool all = true;
          for (size_t i = 1; i < n && all; ++i) {
            uint32_t want = p0 + phrase.tokens[i].position - phrase.tokens[0].position;
            bool in_field = false;
            for (const auto& fi : per[i][id]) {
              if (fi.field_id != f0.field_id) continue;
              in_field = std::binary_search(fi.positions.begin(), fi.positions.end(), want);
            }
            all = in_field;
          }
          if (all) {
            found = true;
            break;
          }
        }
        if (found) break;
      }
      if (!found) continue;
      double score = 0;
      for (size_t i = 0; i < n; ++i) score += Score(per[i][id], Idf(dfs[i]));
      out[id] = score;
    }
    return out;
  }

  Result<SearchOutcome> Run(std::string_view text, size_t typo_free_first) {
    RETURN_IF_ERROR(Init());
    search::SearchQuery q = search::ParseSearchQuery(text, engine::SearchAnalyzer());
    std::string& d = outcome_.description;
    if (q.empty()) {
      d = "no required term: matches nothing";
      return std::move(outcome_);
    }
    const std::vector<SynonymSet>& synonyms = ctx_.view.catalog().synonyms;
    std::vector<Group> groups;
    auto expand = [&](bool typos) -> Status {
      groups.clear();
      for (const auto& qt : q.terms) {
        ASSIGN_OR_RETURN(Group g, Expand(qt, synonyms, typos));
        groups.push_back(std::move(g));
      }
      return Status::OK();
    };
    const bool has_typos = std::any_of(q.terms.begin(), q.terms.end(),
                                       [](const search::QueryTerm& t) { return t.max_edits > 0; });
    if (typo_free_first == 0 || !has_typos) {
      RETURN_IF_ERROR(expand(true));
    } else {
      // The typo-free tier alone, if it looks like it has enough matches: its document
      // frequencies, as if the terms occurred independently (an optimistic guess for a
      // filtered or later page; a wrong guess costs a second search, not a wrong answer).
      RETURN_IF_ERROR(expand(false));
      const double n = static_cast<double>(doc_count_);
      double estimate = n;
      for (const auto& g : groups) {
        if (n > 0) estimate *= std::min(1.0, static_cast<double>(g.total_df) / n);
      }
      if (estimate >= static_cast<double>(typo_free_first)) {
        outcome_.typos_skipped = true;
      } else {
        RETURN_IF_ERROR(expand(true));
      }
    }
    for (const auto& g : groups) {
      d += (d.empty() ? "" : "; ") + g.label + " ->";
      for (const auto& e : g.expansions) {
        d += " " + e.term + "(" + e.how + ", df " + std::to_string(e.df) + ")";
      }
      if (g.expansions.empty()) d += " nothing";
    }
    if (outcome_.typos_skipped) d += "; typo-free tier only";
    d += "; documents " + std::to_string(doc_count_);
    for (const auto& g : groups) {
      if (g.expansions.empty()) return std::move(outcome_);  // a required term matches nothing
    }
    std::stable_sort(groups.begin(), groups.end(),
                     [](const Group& a, const Group& b) { return a.total_df < b.total_df; });

    // Term at a time: the rarest term makes the candidates, the others narrow them. Scores
    // are kept as vectors sorted by id (postings come in id order), and the candidate ids are
    // their first halves. The first group merges its expansions' runs; a later one keeps each
    // candidate's best expansion in a slot by the candidate's index (a scan of a posting list
    // against the candidates knows it), so narrowing needs no merge.
    Scored scores;
    bool have_candidates = false;
    std::vector<uint64_t> ids;
    auto set_scores = [&](Scored next) {
      scores = std::move(next);
      ids.clear();
      ids.reserve(scores.size());
      for (const Hit& h : scores) ids.push_back(h.id);
      have_candidates = true;
    };
    for (const auto& g : groups) {
      if (have_candidates) {
        // Per candidate (by its index in `ids`), its best expansion: the fewest typos, then the
        // highest score; tier kNone until one matches.
        constexpr uint32_t kNone = UINT32_MAX;
        Scored best(ids.size(), Hit{0, kNone, 0});
        for (const auto& e : g.expansions) {
          const double idf = Idf(e.df);
          RETURN_IF_ERROR(
              ForEachPosting(e.term, e.df, &ids, [&](uint64_t id, std::string_view v, size_t i) {
                if (!engine::DecodePostingStats(v, &posting_)) return Malformed(e.term);
                const Hit h{id, static_cast<uint32_t>(e.edits), e.weight * Score(posting_, idf)};
                if (best[i].tier == kNone || Better(h, best[i])) best[i] = h;
                return Status::OK();
              }));
        }
        // Keep the candidates it matched, in place (scores and ids stay parallel).
        size_t kept = 0;
        for (size_t i = 0; i < ids.size(); ++i) {
          if (best[i].tier == kNone) continue;
          scores[kept] = {ids[i], scores[i].tier + best[i].tier, scores[i].score + best[i].score};
          ids[kept++] = ids[i];
        }
        scores.resize(kept);
        ids.resize(kept);
        if (scores.empty()) return std::move(outcome_);
        continue;
      }
      Scored best;                     // per record, its best expansion (fewest typos first)
      std::vector<size_t> runs = {0};  // where each expansion's run (in id order) starts
      for (const auto& e : g.expansions) {
        const double idf = Idf(e.df);
        RETURN_IF_ERROR(
            ForEachPosting(e.term, e.df, nullptr, [&](uint64_t id, std::string_view v, size_t) {
              if (!engine::DecodePostingStats(v, &posting_)) {
                return Malformed(e.term);
              }
              best.push_back({id, static_cast<uint32_t>(e.edits), e.weight * Score(posting_, idf)});
              return Status::OK();
            }));
        if (best.size() > runs.back()) runs.push_back(best.size());
      }
      // Merge the runs pairwise into id order, O(n log runs); a record in several keeps its best
      // match: the fewest typos, then the highest score.
      while (runs.size() > 2) {
        std::vector<size_t> merged = {0};
        for (size_t i = 2; i < runs.size(); i += 2) {
          std::inplace_merge(best.begin() + static_cast<ptrdiff_t>(runs[i - 2]),
                             best.begin() + static_cast<ptrdiff_t>(runs[i - 1]),
                             best.begin() + static_cast<ptrdiff_t>(runs[i]), ById);
          merged.push_back(runs[i]);
        }
        if (runs.size() % 2 == 0) merged.push_back(runs.back());
        runs.swap(merged);
      }
      size_t kept = 0;
      for (size_t i = 0; i < best.size(); ++i) {
        if (kept > 0 && best[kept - 1].id == best[i].id) {
          if (Better(best[i], best[kept - 1])) best[kept - 1] = best[i];
        } else {
          best[kept++] = best[i];
        }
      }
      best.resize(kept);
      set_scores(std::move(best));
      if (scores.empty()) return std::move(outcome_);
    }
    for (const auto& phrase : q.phrases) {
      if (phrase.tokens.empty()) continue;
      ASSIGN_OR_RETURN(auto matched, MatchPhrase(phrase, have_candidates ? &ids : nullptr));
      Scored next;
      if (!have_candidates) {
        for (const auto& [id, s] : matched) next.push_back({id, 0, s});
        std::sort(next.begin(), next.end(), ById);
      } else {
        for (const Hit& h : scores) {
          auto it = matched.find(h.id);
          if (it != matched.end()) next.push_back({h.id, h.tier, h.score + it->second});
        }
      }
      set_scores(std::move(next));
      if (scores.empty()) return std::move(outcome_);
    }
    // Exclusions.
    auto exclude = [&](const auto& excluded) {  // excluded.count(id)
      Scored next;
      for (const Hit& h : scores) {
        if (!excluded.count(h.id)) next.push_back(h);
      }
      set_scores(std::move(next));
    };
    for (const auto& term : q.excluded) {
      ASSIGN_OR_RETURN(int64_t df, reader_.DocFreq(term));
      if (df <= 0) continue;
      std::unordered_set<uint64_t> excluded;
      RETURN_IF_ERROR(ForEachPosting(term, df, &ids, [&](uint64_t id, std::string_view, size_t) {
        excluded.insert(id);
        return Status::OK();
      }));
      exclude(excluded);
      d += "; excluded " + term;
    }
    for (const auto& phrase : q.excluded_phrases) {
      if (phrase.tokens.empty() || ids.empty()) continue;
      ASSIGN_OR_RETURN(auto matched, MatchPhrase(phrase, &ids));
      exclude(matched);
    }
    outcome_.hits.reserve(scores.size());
    for (const Hit& h : scores) outcome_.hits.push_back({h.score, h.id, h.tier});
    d += "; matches " + std::to_string(outcome_.hits.size()) + ", postings read " +
         std::to_string(outcome_.postings_read);
    return std::move(outcome_);
  }

 private:
  ExecContext& ctx_;
  SearchReader reader_;
  engine::SearchStats stats_;
  uint64_t doc_count_ = 0;
  struct FieldParams {
    double weight = 1.0;  // a field without statistics weighs 1 and has average length 0
    double average_length = 0.0;
  };
  std::vector<FieldParams> fields_;       // by field id
  std::unique_ptr<KvIterator> postings_;  // ForEachPosting's, made on first use
  // Scratch reused across postings.
  std::vector<PostingFieldStats> posting_;
  std::vector<search::FieldTermStats> field_stats_;
  SearchOutcome outcome_;
};

}  // namespace

Result<SearchOutcome> RunSearch(ExecContext& ctx, const ModelInfo& model, std::string_view text,
                                size_t typo_free_first) {
  Searcher s(ctx, model);
  return s.Run(text, typo_free_first);
}

}  // namespace actiondb::query
