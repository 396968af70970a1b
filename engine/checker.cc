// The consistency checker (docs/durability.md, "Consistency checker"). Over one snapshot it
// verifies, in both directions, that every index entry belongs to a record with that value and
// every record has all of its index entries; that unique entries point at the right record;
// that every record decodes; that id high-water marks cover every stored id; and that no
// entries remain for dropped models or indexes. For full-text search (CheckSearch) it
// re-analyzes every record and compares postings, doc entries and statistics with the index,
// both directions.
//
// Sequential reads only, while the store is consistent: one pass over the records (each
// verified once) computes, per index and per term, the count and a summary (the wrapping sum of a
// 64-bit hash of each entry expected: key and value, or record id and posting bytes) of what should
// be stored; one scan of the index entries and of the postings computes the same of what is stored.
// Equal counts and sums mean equal sets (but for a 2^-64 chance per index or term). Only an index
// or term whose summaries differ is compared entry by entry, to name each discrepancy exactly.
// Point reads per record and entry (the first version) took over 12 minutes at 1M posts, mostly
// re-reading posting blocks.
#include <xxhash.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "engine/merge_operators.h"
#include "engine/posting_segments.h"
#include "engine/search_index.h"
#include "engine/store_internal.h"

namespace actiondb::engine {

namespace {

using AddFn = std::function<void(std::string)>;

// A record as the checker reads every record: its FlatBuffer verified, so that a forged
// checksum is reported rather than trusted (the read paths trust it). nullopt when absent.
// Counters are not folded in: neither indexes nor postings hold counter fields.
Result<std::optional<RecordView>> ReadVerified(ReadView& view, const ModelInfo& m, uint64_t rid) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   view.GetRaw(Cf::kRec, keys::RecordKey(m.id, rid)));
  if (!stored) return std::optional<RecordView>();
  ASSIGN_OR_RETURN(RecordView rv,
                   RecordView::ParseVerified(std::move(*stored), rid, m.api_identifier));
  return std::optional<RecordView>(std::move(rv));
}

// Calls fn(record id, stored value) for each record of `m` in id order, skipping malformed
// keys (Store::Check reports them); stops at fn's first error.
Status ForEachRecord(ReadView& view, const ModelInfo& m,
                     const std::function<Status(uint64_t, std::string_view)>& fn) {
  const std::string p = keys::ModelPrefix(m.id);
  auto it = view.NewIterator(Cf::kRec, p, keys::PrefixSuccessor(p));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint32_t mid;
    uint64_t rid;
    if (!keys::ParseRecordKey(it->key(), &mid, &rid)) continue;
    RETURN_IF_ERROR(fn(rid, it->value()));
  }
  return it->status();
}

// The count and hash sum of a set of entries.
struct Summary {
  uint64_t count = 0;
  uint64_t sum = 0;
  void Add(uint64_t hash) {
    ++count;
    sum += hash;
  }
  bool operator==(const Summary& o) const { return count == o.count && sum == o.sum; }
};
// A term's expected summary, and whether the postings scan met the term.
struct TermSummary : Summary {
  bool seen = false;
};

uint64_t EntryHash(std::string_view key, std::string_view value) {
  return XXH3_64bits_withSeed(key.data(), key.size(), XXH3_64bits(value.data(), value.size()));
}
uint64_t PostingHash(uint64_t rid, std::string_view posting) {
  return XXH3_64bits_withSeed(posting.data(), posting.size(), rid);
}

// The entry a record should have in a ready index: its key, and the value (the record id for
// the unique form, else empty).
std::pair<std::string, std::string> ExpectedEntry(const IndexInfo& ix, const RecordView& rv,
                                                  uint64_t rid) {
  bool unique_form = false;
  std::pair<std::string, std::string> entry;
  entry.first = IndexKeyFor(ix, IndexValues(ix, rv), rid, &unique_form);
  if (unique_form) keys::PutBE64(&entry.second, rid);
  return entry;
}

// One index entry by entry, both directions: each record's entry exists (and a unique one
// points back at it); each entry decodes and belongs to an existing record with exactly its
// value. Runs only for an index whose summaries differ.
Status CheckIndexExactly(ReadView& view, const ModelInfo& m, const IndexInfo& ix,
                         const AddFn& add) {
  auto check_record = [&](uint64_t rid, std::string_view stored) -> Status {
    auto rv = RecordView::ParseVerified(std::string(stored), rid, m.api_identifier);
    if (!rv.ok()) return Status::OK();  // reported by Store::Check
    auto [key, value] = ExpectedEntry(ix, *rv, rid);
    ASSIGN_OR_RETURN(std::optional<std::string> got, view.GetRaw(Cf::kIdx, key));
    if (!got) {
      add("idx " + ix.name + ": record " + std::to_string(rid) + " has no index entry (key " +
          keys::Printable(key) + ")");
    } else if (!value.empty() && *got != value) {
      add("idx " + ix.name + ": unique entry for record " + std::to_string(rid) +
          " points at record " +
          (got->size() == 8 ? std::to_string(keys::GetBE64(got->data())) : "<malformed>"));
    }
    return Status::OK();
  };
  RETURN_IF_ERROR(ForEachRecord(view, m, check_record));

  const std::string ip = keys::IndexPrefix(ix.id);
  auto iit = view.NewIterator(Cf::kIdx, ip, keys::PrefixSuccessor(ip));
  for (iit->SeekToFirst(); iit->Valid(); iit->Next()) {
    std::string_view rest = iit->key().substr(4);
    std::vector<Value> values;
    bool ok = true, any_null = false;
    for (uint16_t fid : ix.field_ids) {
      const FieldInfo* f = m.FieldById(fid);
      Value v;
      if (!f || !keys::ConsumeValue(&rest, f->kind, &v)) {
        ok = false;
        break;
      }
      any_null = any_null || v.is_null();
      values.push_back(std::move(v));
    }
    uint64_t rid = 0;
    bool expect_unique_form = ix.unique && !any_null;
    if (ok && expect_unique_form) {
      ok = rest.empty() && iit->value().size() == 8;
      if (ok) rid = keys::GetBE64(iit->value().data());
    } else if (ok) {
      ok = rest.size() == 8 && iit->value().empty();
      if (ok) rid = keys::GetBE64(rest.data());
    }
    if (!ok) {
      add("idx " + ix.name + ": malformed entry " + keys::Printable(iit->key()));
      continue;
    }
    auto rec = ReadVerified(view, m, rid);
    if (!rec.ok()) {
      add("idx " + ix.name + ": entry for record " + std::to_string(rid) + ": " +
          rec.status().message());
      continue;
    }
    if (!*rec) {
      add("idx " + ix.name + ": entry points at record " + std::to_string(rid) +
          ", which does not exist");
      continue;
    }
    std::vector<Value> actual = IndexValues(ix, **rec);
    if (actual != values) {
      std::string shown, want;
      for (size_t i = 0; i < values.size(); ++i) {
        shown += (i ? ", " : "") + values[i].DebugString();
        want += (i ? ", " : "") + actual[i].DebugString();
      }
      add("idx " + ix.name + ": entry for record " + std::to_string(rid) + " has value (" + shown +
          ") but the record has (" + want + ")");
    }
  }
  return iit->status();
}

// At most this many terms whose posting summaries differ are compared posting by posting (one
// open iterator each, during one more pass over the records); the others get one line each.
constexpr size_t kTermsLocated = 64;

// The postings of `terms` (sorted) posting by posting against a re-analysis of every record:
// missing, wrong and stray postings, each on its own line.
Status LocatePostings(ReadView& view, const ModelInfo& m, const std::vector<std::string>& terms,
                      const AddFn& add) {
  const std::string name = "fts " + m.api_identifier;
  const std::vector<uint16_t> fids = SearchFieldIds(m);
  struct Cursor {
    const std::string* term;
    std::unique_ptr<KvIterator> it;
  };
  std::vector<Cursor> cursors;
  for (const std::string& term : terms) {
    const std::string prefix = keys::SearchPostingPrefix(m.id, term);
    Cursor c{&term, view.NewIterator(Cf::kFts, prefix, keys::PrefixSuccessor(prefix))};
    c.it->SeekToFirst();
    cursors.push_back(std::move(c));
  }
  auto posting = [&](const Cursor& c, uint64_t rid) {
    return name + ": posting \"" + keys::Printable(*c.term) + "\" for record " +
           std::to_string(rid);
  };
  // Reports the posting under `c` as a stray (its record has no such term, is gone, or does
  // not decode) and steps past it.
  auto stray = [&](Cursor& c) {
    const uint64_t rid = PostingRecordId(c.it->key());
    auto rec = ReadVerified(view, m, rid);
    if (!rec.ok()) {
      add(posting(c, rid) + ": " + rec.status().message());
    } else if (!*rec) {
      add(posting(c, rid) + ", which does not exist");
    } else {
      add(posting(c, rid) + ", which does not contain the term");
    }
    c.it->Next();
  };
  auto locate_in = [&](uint64_t rid, std::string_view value) -> Status {
    auto rv = RecordView::ParseVerified(std::string(value), rid, m.api_identifier);
    if (!rv.ok()) return Status::OK();  // its postings are reported as strays, with the reason
    DocTerms doc = AnalyzeRecord(*rv, fids);
    for (Cursor& c : cursors) {
      while (c.it->Valid() && PostingRecordId(c.it->key()) < rid) stray(c);
      RETURN_IF_ERROR(c.it->status());
      const bool stored = c.it->Valid() && PostingRecordId(c.it->key()) == rid;
      auto found = doc.FindTerm(*c.term);
      if (found == doc.terms.end()) {
        if (stored) stray(c);
        continue;
      }
      if (!stored) {
        add(name + ": record " + std::to_string(rid) + " has no posting for \"" +
            keys::Printable(*c.term) + "\"");
      } else {
        if (c.it->value() != EncodePosting(found->second)) {
          add(name + ": the posting of \"" + keys::Printable(*c.term) + "\" for record " +
              std::to_string(rid) + " has wrong positions or lengths");
        }
        c.it->Next();
      }
    }
    return Status::OK();
  };
  RETURN_IF_ERROR(ForEachRecord(view, m, locate_in));
  for (Cursor& c : cursors) {
    while (c.it->Valid()) stray(c);
    RETURN_IF_ERROR(c.it->status());
  }
  return Status::OK();
}

// The search index of one model against a re-analysis of its records, fed by Store::Check's
// pass over them (AddRecord, then Finish): every record's doc entry and postings exist with
// the right values and there are no others (by summaries per term, then located term by term
// where they differ; doc entries side by side with the records); the document count,
// per-field token totals and every document frequency match (a dictionary key with a count of
// 0 is a term no longer present, which is allowed). With `dict` (the model's in-memory term
// dictionary, if built), also that it holds every term and surface it should
// (term_dictionary.h: a superset of the live ones from kMinByte on).
class SearchCheck {
 public:
  SearchCheck(ReadView& view, const ModelInfo& m, CheckReport* report, const AddFn& add)
      : view_(view),
        m_(m),
        report_(report),
        add_(add),
        name_("fts " + m.api_identifier),
        fids_(SearchFieldIds(m)),
        dp_(keys::SearchDocPrefix(m.id)),
        dit_(view.NewIterator(Cf::kFts, dp_, keys::PrefixSuccessor(dp_))) {
    dit_->SeekToFirst();
  }

  // Each record in id order; `rv` null for one that does not decode (reported by the record
  // check; its doc entry is passed over).
  Status AddRecord(uint64_t rid, const RecordView* rv) {
    uint64_t entry_id;
    while ((entry_id = DocId()) < rid) {
      MissingRecord(entry_id);
      dit_->Next();
    }
    RETURN_IF_ERROR(dit_->status());
    const bool has_entry = entry_id == rid;
    std::string entry_value = has_entry ? std::string(dit_->value()) : std::string();
    if (has_entry) dit_->Next();
    if (rv == nullptr) return Status::OK();
    DocTerms terms = AnalyzeRecord(*rv, fids_);
    ++docs_;
    for (const auto& [fid, len] : terms.field_lengths) tokens_[fid] += len;
    for (const auto& w : terms.surfaces) ++surfaces_[w];
    FieldLengths lengths;
    if (!has_entry) {
      add_(name_ + ": record " + std::to_string(rid) + " has no search document entry");
    } else if (!DecodeDocEntry(entry_value, &lengths) || lengths != terms.field_lengths) {
      add_(name_ + ": record " + std::to_string(rid) + " has a wrong search document entry");
    }
    for (const auto& [term, fields] : terms.terms) {
      expected_[term].Add(PostingHash(rid, EncodePosting(fields)));
    }
    return Status::OK();
  }

  Status Finish(const TermDictionary* dict);

 private:
  // The record id of the doc entry under `dit_`; UINT64_MAX at the end. Malformed keys are
  // reported and skipped.
  uint64_t DocId() {
    while (dit_->Valid() && dit_->key().size() != dp_.size() + 8) {
      add_(name_ + ": malformed search document key " + keys::Printable(dit_->key()));
      dit_->Next();
    }
    return dit_->Valid() ? keys::GetBE64(dit_->key().data() + dp_.size()) : UINT64_MAX;
  }
  void MissingRecord(uint64_t rid) {
    add_(name_ + ": search document entry for missing record " + std::to_string(rid));
  }

  ReadView& view_;
  const ModelInfo& m_;
  CheckReport* report_;
  const AddFn& add_;
  const std::string name_;
  const std::vector<uint16_t> fids_;
  const std::string dp_;
  std::unique_ptr<KvIterator> dit_;
  int64_t docs_ = 0;
  std::map<uint16_t, int64_t> tokens_;
  // Per term: the postings the records should have (its count is the document frequency).
  std::unordered_map<std::string, TermSummary> expected_;
  std::unordered_map<std::string, int64_t> surfaces_;
};

Status SearchCheck::Finish(const TermDictionary* dict) {
  auto meta = view_.GetRaw(Cf::kFts, keys::SearchMetaKey(m_.id));
  if (!meta.ok()) return meta.status();
  if (!*meta || **meta != SearchMetaValue(m_)) {
    add_(name_ +
         ": the index meta does not match the current fields and analyzer (rebuild "
         "pending)");
  }
  for (uint64_t entry_id; (entry_id = DocId()) != UINT64_MAX; dit_->Next()) {
    MissingRecord(entry_id);
  }
  RETURN_IF_ERROR(dit_->status());

  // The postings, one scan, a term's postings one after another: each term's summary against
  // the expected one. `differing`: the terms whose summaries differ, with the stored one.
  std::vector<std::pair<std::string, Summary>> differing;
  auto compare_term = [&](const std::string& term, const Summary& stored) {
    auto e = expected_.find(term);
    Summary want;
    if (e != expected_.end()) {
      want = static_cast<const Summary&>(e->second);
      e->second.seen = true;
    }
    if (stored != want) differing.emplace_back(term, stored);
  };
  {
    const std::string pp = keys::SearchPostingModelPrefix(m_.id);
    auto pit = view_.NewIterator(Cf::kFts, pp, keys::PrefixSuccessor(pp));
    std::string term;
    Summary stored;
    bool open = false;
    for (pit->SeekToFirst(); pit->Valid(); pit->Next()) {
      std::string_view k = pit->key();
      if (k.size() < pp.size() + 1 + 8 || k[k.size() - 9] != '\0') {
        add_(name_ + ": malformed posting key " + keys::Printable(k));
        continue;
      }
      report_->postings_checked++;
      std::string_view t = k.substr(pp.size(), k.size() - 9 - pp.size());
      if (!open || t != term) {
        if (open) compare_term(term, stored);
        term.assign(t);
        stored = Summary{};
        open = true;
      }
      stored.Add(PostingHash(PostingRecordId(k), pit->value()));
    }
    RETURN_IF_ERROR(pit->status());
    if (open) compare_term(term, stored);
  }
  for (const auto& [term, want] : expected_) {  // terms with no stored posting at all
    if (!want.seen) differing.emplace_back(term, Summary{});
  }
  if (!differing.empty()) {
    std::sort(differing.begin(), differing.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> located;
    for (const auto& [term, stored] : differing) {
      if (located.size() < kTermsLocated) {
        located.push_back(term);
        continue;
      }
      auto e = expected_.find(term);
      add_(name_ + ": the postings of \"" + keys::Printable(term) +
           "\" differ from the records' (" + std::to_string(stored.count) + " stored, " +
           std::to_string(e == expected_.end() ? 0 : e->second.count) +
           " expected; not located: more than " + std::to_string(kTermsLocated) + " terms differ)");
    }
    RETURN_IF_ERROR(LocatePostings(view_, m_, located, add_));
  }

  // Statistics.
  auto n = view_.GetRaw(Cf::kStat, keys::SearchDocCountKey(m_.id));
  if (!n.ok()) return n.status();
  int64_t stored_docs = *n ? DecodeI64LE(**n) : 0;
  if (stored_docs != docs_) {
    add_(name_ + ": document count is " + std::to_string(stored_docs) +
         ", records: " + std::to_string(docs_));
  }
  for (uint16_t fid : fids_) {
    auto t = view_.GetRaw(Cf::kStat, keys::SearchFieldTokensKey(m_.id, fid));
    if (!t.ok()) return t.status();
    int64_t stored = *t ? DecodeI64LE(**t) : 0;
    const FieldInfo* f = m_.FieldById(fid);
    if (stored != tokens_[fid]) {
      add_(name_ + "." + (f ? f->name() : std::to_string(fid)) + ": token total is " +
           std::to_string(stored) + ", expected " + std::to_string(tokens_[fid]));
    }
  }
  // Document frequencies and the surface dictionary: every stored count against the expected
  // one (a key counting 0 is a word no longer present, which is allowed).
  using Counts = std::vector<std::pair<std::string, int64_t>>;  // sorted by term
  Counts df, surface_counts;
  df.reserve(expected_.size());
  for (const auto& [term, summary] : expected_) {
    df.emplace_back(term, static_cast<int64_t>(summary.count));
  }
  surface_counts.assign(surfaces_.begin(), surfaces_.end());
  std::sort(df.begin(), df.end());
  std::sort(surface_counts.begin(), surface_counts.end());
  auto compare_counts = [&](const std::string& prefix, const Counts& want,
                            const char* what) -> Status {
    auto cit = view_.NewIterator(Cf::kStat, prefix, keys::PrefixSuccessor(prefix));
    auto w = want.begin();
    auto report_count = [&](const std::string& term, int64_t stored, int64_t expected_count) {
      add_(name_ + ": " + what + " of \"" + keys::Printable(term) + "\" is " +
           std::to_string(stored) + ", expected " + std::to_string(expected_count));
    };
    for (cit->SeekToFirst(); cit->Valid(); cit->Next()) {
      std::string term(cit->key().substr(prefix.size()));
      int64_t stored = DecodeI64LE(cit->value());
      for (; w != want.end() && w->first < term; ++w) report_count(w->first, 0, w->second);
      int64_t expected_count = 0;
      if (w != want.end() && w->first == term) expected_count = (w++)->second;
      if (stored != expected_count) report_count(term, stored, expected_count);
    }
    RETURN_IF_ERROR(cit->status());
    for (; w != want.end(); ++w) report_count(w->first, 0, w->second);
    return Status::OK();
  };
  RETURN_IF_ERROR(compare_counts(keys::SearchDfPrefix(m_.id), df, "document frequency"));
  RETURN_IF_ERROR(
      compare_counts(keys::SearchSurfacePrefix(m_.id), surface_counts, "surface count"));
  if (dict && dict->ready()) {
    for (const auto& [kind, want, what] :
         {std::tuple(TermDictionary::kTerms, &df, "term"),
          std::tuple(TermDictionary::kSurfaces, &surface_counts, "surface")}) {
      for (const auto& [term, count] : *want) {
        if (count > 0 && TermDictionary::Held(term) && !dict->Contains(kind, term)) {
          add_(name_ + ": the in-memory dictionary lacks the " + what + " \"" +
               keys::Printable(term) + "\"");
        }
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<CheckReport> Store::Check() {
  CheckReport report;
  auto cat = rep_->GetCatalog();
  auto view = NewReadView();  // one snapshot for everything below
  const AddFn add = [&](std::string line) {
    if (report.discrepancies.size() < 1000) report.discrepancies.push_back(std::move(line));
  };

  std::set<uint32_t> index_ids, model_ids;
  for (const auto& m : cat->models) {
    model_ids.insert(m.id);
    for (const auto& ix : m.indexes) index_ids.insert(ix.id);
  }

  for (const auto& m : cat->models) {
    std::vector<const IndexInfo*> ready;
    for (const auto& ix : m.indexes) {
      if (ix.state == IndexState::kReady) ready.push_back(&ix);
    }
    std::vector<Summary> expected(ready.size());
    SearchCheck search(*view, m, &report, add);
    const std::string p = keys::ModelPrefix(m.id);
    uint64_t max_id = 0;
    // Records: each decodes; the summaries of the index entries they should have; their
    // search analysis.
    auto it = view->NewIterator(Cf::kRec, p, keys::PrefixSuccessor(p));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint32_t mid;
      uint64_t rid;
      if (!keys::ParseRecordKey(it->key(), &mid, &rid)) {
        add("rec " + m.api_identifier + ": malformed record key " + keys::Printable(it->key()));
        continue;
      }
      report.records_checked++;
      max_id = std::max(max_id, rid);
      auto rv = RecordView::ParseVerified(std::string(it->value()), rid, m.api_identifier);
      if (!rv.ok()) {
        add("rec " + m.api_identifier + " " + std::to_string(rid) + ": " + rv.status().message());
        RETURN_IF_ERROR(search.AddRecord(rid, nullptr));
        continue;
      }
      for (size_t i = 0; i < ready.size(); ++i) {
        auto [key, value] = ExpectedEntry(*ready[i], *rv, rid);
        expected[i].Add(EntryHash(key, value));
      }
      RETURN_IF_ERROR(search.AddRecord(rid, &*rv));
    }
    RETURN_IF_ERROR(it->status());
    uint64_t high = HighestId(m.id);
    auto persisted = view->GetRaw(Cf::kCtr, keys::IdCounterKey(m.id));
    if (!persisted.ok()) return persisted.status();
    uint64_t persisted_high = *persisted ? DecodeU64LE(**persisted) : 0;
    if (max_id > high || max_id > persisted_high) {
      add("ids " + m.api_identifier + ": highest stored id " + std::to_string(max_id) +
          " is above the id counter (memory " + std::to_string(high) + ", disk " +
          std::to_string(persisted_high) + ")");
    }

    // Pending `_atomics` deltas: only on number fields without a ready index (an indexed
    // field's value must be in the record, or its index entry would be wrong). A delta whose
    // record is gone is harmless (ids are never reused, readers never see it) and not counted.
    {
      const std::string ap = "A" + p;
      auto cit = view->NewIterator(Cf::kCtr, ap, keys::PrefixSuccessor(ap));
      const std::vector<uint16_t> counters = m.CounterFields();
      for (cit->SeekToFirst(); cit->Valid(); cit->Next()) {
        std::string_view k = cit->key();
        if (k.size() != 1 + 4 + 8 + 2) {
          add("ctr " + m.api_identifier + ": malformed counter key " + keys::Printable(k));
          continue;
        }
        uint64_t rid = keys::GetBE64(k.data() + 5);
        uint16_t fid =
            static_cast<uint16_t>((static_cast<uint8_t>(k[13]) << 8) | static_cast<uint8_t>(k[14]));
        const FieldInfo* f = m.FieldById(fid);
        if (f && std::find(counters.begin(), counters.end(), fid) == counters.end()) {
          add("ctr " + m.api_identifier + "." + f->name() + ": record " + std::to_string(rid) +
              " has a pending atomic delta on an indexed field");
        }
      }
      RETURN_IF_ERROR(cit->status());
    }

    // Each index's entries against the records' summary; entry by entry where they differ.
    for (size_t i = 0; i < ready.size(); ++i) {
      const std::string ip = keys::IndexPrefix(ready[i]->id);
      auto iit = view->NewIterator(Cf::kIdx, ip, keys::PrefixSuccessor(ip));
      Summary stored;
      for (iit->SeekToFirst(); iit->Valid(); iit->Next()) {
        report.index_entries_checked++;
        stored.Add(EntryHash(iit->key(), iit->value()));
      }
      RETURN_IF_ERROR(iit->status());
      if (stored != expected[i]) RETURN_IF_ERROR(CheckIndexExactly(*view, m, *ready[i], add));
    }
    RETURN_IF_ERROR(search.Finish(rep_->FindTermDictionary(m.id).get()));
  }

  // Leftovers of dropped indexes and models.
  {
    auto it = view->NewIterator(Cf::kIdx, std::string(), std::string());
    it->SeekToFirst();
    while (it->Valid()) {
      if (it->key().size() < 4) {
        add("idx: malformed key " + keys::Printable(it->key()));
        it->Next();
        continue;
      }
      uint32_t id = keys::GetBE32(it->key().data());
      if (!index_ids.count(id))
        add("idx: entries remain for unknown index id " + std::to_string(id));
      it->Seek(keys::PrefixSuccessor(it->key().substr(0, 4)));
    }
    RETURN_IF_ERROR(it->status());
  }
  {
    auto it = view->NewIterator(Cf::kRec, std::string(), std::string());
    it->SeekToFirst();
    while (it->Valid()) {
      uint32_t id = it->key().size() >= 4 ? keys::GetBE32(it->key().data()) : 0;
      if (!model_ids.count(id))
        add("rec: records remain for unknown model id " + std::to_string(id));
      if (it->key().size() < 4) {
        it->Next();
      } else {
        it->Seek(keys::PrefixSuccessor(it->key().substr(0, 4)));
      }
    }
    RETURN_IF_ERROR(it->status());
  }
  return report;
}

}  // namespace actiondb::engine
