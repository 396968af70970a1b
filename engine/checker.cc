// The consistency checker (docs/consistency.md). Over one snapshot it verifies, in both
// directions, that every index entry belongs to a record with that value and every record has
// all of its index entries; that unique entries point at the right record; that every record
// decodes; that id high-water marks cover every stored id; and that no entries remain for
// dropped models or indexes. For full-text search (CheckSearch) it re-tokenizes every record
// and compares postings, doc entries and statistics with the index, both directions.
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

// The search index of one model against a re-analysis of its records: every record's doc
// entry and postings exist with the right values (records -> index); there are no other
// postings or doc entries (index -> records, by count, then located one by one); the document
// count, per-field token totals and every document frequency match (a dictionary key with a
// count of 0 is a term no longer present, which is allowed).
// With `dict` (the model's in-memory term dictionary, if built), also that it holds every term
// and surface it should (term_dictionary.h: a superset of the live ones from kMinByte on).
Status CheckSearch(ReadView& view, const ModelInfo& m, const TermDictionary* dict,
                   CheckReport* report, const std::function<void(std::string)>& add) {
  const std::string name = "fts " + m.api_identifier;
  auto meta = view.GetRaw(Cf::kFts, keys::SearchMetaKey(m.id));
  if (!meta.ok()) return meta.status();
  if (!*meta || **meta != SearchMetaValue(m)) {
    add(name +
        ": the index meta does not match the current fields and analyzer (rebuild "
        "pending)");
  }
  const std::vector<uint16_t> fids = SearchFieldIds(m);
  int64_t docs = 0;
  uint64_t postings = 0;
  std::map<uint16_t, int64_t> tokens;
  std::map<std::string, int64_t> df, surfaces;
  // Postings are read a term's block at a time (posting_segments.h), for the records of that
  // block that hold the term, which come one after another in id order. A point read of one
  // posting would merge its whole segment while merge operands are pending; the cache holds
  // the current block's only.
  uint64_t cached_block = 0;
  std::unordered_map<std::string, std::vector<std::pair<uint64_t, std::string>>> block_postings;
  auto stored_posting = [&](const std::string& term, uint64_t rid) -> Result<const std::string*> {
    const uint64_t block = rid & ~(kSegmentIds - 1);
    if (block != cached_block) {
      block_postings.clear();
      cached_block = block;
    }
    auto [at, added] = block_postings.try_emplace(term);
    auto& list = at->second;
    if (added) {
      const uint64_t next = block + kSegmentIds;  // 0: the last block of the id space
      auto pit =
          view.NewIterator(Cf::kFts, keys::SearchPostingKey(m.id, term, block),
                           next == 0 ? keys::PrefixSuccessor(keys::SearchPostingPrefix(m.id, term))
                                     : keys::SearchPostingKey(m.id, term, next));
      for (pit->SeekToFirst(); pit->Valid(); pit->Next()) {
        list.emplace_back(PostingRecordId(pit->key()), std::string(pit->value()));
      }
      RETURN_IF_ERROR(pit->status());
    }
    auto found = std::lower_bound(list.begin(), list.end(), rid,
                                  [](const auto& e, uint64_t id) { return e.first < id; });
    if (found == list.end() || found->first != rid) return nullptr;
    return &found->second;
  };
  const std::string p = keys::ModelPrefix(m.id);
  auto it = view.NewIterator(Cf::kRec, p, keys::PrefixSuccessor(p));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint32_t mid;
    uint64_t rid;
    if (!keys::ParseRecordKey(it->key(), &mid, &rid)) continue;
    auto rv = RecordView::ParseVerified(std::string(it->value()), rid, m.api_identifier);
    if (!rv.ok()) continue;  // reported by the record check
    DocTerms terms = AnalyzeRecord(*rv, fids);
    ++docs;
    for (const auto& [fid, len] : terms.field_lengths) tokens[fid] += len;
    for (const auto& w : terms.surfaces) ++surfaces[w];
    auto entry = view.GetRaw(Cf::kFts, keys::SearchDocKey(m.id, rid));
    if (!entry.ok()) return entry.status();
    FieldLengths lengths;
    if (!*entry) {
      add(name + ": record " + std::to_string(rid) + " has no search document entry");
    } else if (!DecodeDocEntry(**entry, &lengths) || lengths != terms.field_lengths) {
      add(name + ": record " + std::to_string(rid) + " has a wrong search document entry");
    }
    for (const auto& [term, fields] : terms.terms) {
      ++postings;
      ++df[term];
      report->postings_checked++;
      auto got = stored_posting(term, rid);
      if (!got.ok()) return got.status();
      if (!*got) {
        add(name + ": record " + std::to_string(rid) + " has no posting for \"" +
            keys::Printable(term) + "\"");
      } else if (**got != EncodePosting(fields)) {
        add(name + ": the posting of \"" + keys::Printable(term) + "\" for record " +
            std::to_string(rid) + " has wrong positions or lengths");
      }
    }
  }
  RETURN_IF_ERROR(it->status());

  // Index -> records: count the postings; if there are more than expected, find the strays.
  uint64_t stored_postings = 0;
  const std::string pp = keys::SearchPostingModelPrefix(m.id);
  {
    auto pit = view.NewIterator(Cf::kFts, pp, keys::PrefixSuccessor(pp));
    for (pit->SeekToFirst(); pit->Valid(); pit->Next()) ++stored_postings;
    RETURN_IF_ERROR(pit->status());
  }
  if (stored_postings != postings) {
    auto pit = view.NewIterator(Cf::kFts, pp, keys::PrefixSuccessor(pp));
    for (pit->SeekToFirst(); pit->Valid(); pit->Next()) {
      std::string_view k = pit->key();
      if (k.size() < pp.size() + 1 + 8 || k[k.size() - 9] != '\0') {
        add(name + ": malformed posting key " + keys::Printable(k));
        continue;
      }
      std::string term(k.substr(pp.size(), k.size() - 9 - pp.size()));
      uint64_t rid = PostingRecordId(k);
      auto posting = [&] {  // built only for a discrepancy
        return name + ": posting \"" + keys::Printable(term) + "\" for record " +
               std::to_string(rid);
      };
      auto rec = ReadVerified(view, m, rid);
      if (!rec.ok()) {  // a corrupt record (the record pass reports it too)
        add(posting() + ": " + rec.status().message());
        continue;
      }
      if (!*rec) {
        add(posting() + ", which does not exist");
        continue;
      }
      DocTerms terms = AnalyzeRecord(**rec, fids);
      if (terms.FindTerm(term) == terms.terms.end()) {
        add(posting() + ", which does not contain the term");
      }
    }
    RETURN_IF_ERROR(pit->status());
  }
  {
    const std::string dp = keys::SearchDocPrefix(m.id);
    auto dit = view.NewIterator(Cf::kFts, dp, keys::PrefixSuccessor(dp));
    int64_t entries = 0;
    for (dit->SeekToFirst(); dit->Valid(); dit->Next()) {
      ++entries;
      if (dit->key().size() != dp.size() + 8) continue;
      uint64_t rid = keys::GetBE64(dit->key().data() + dp.size());
      auto rec = view.GetRaw(Cf::kRec, keys::RecordKey(m.id, rid));
      if (!rec.ok()) return rec.status();
      if (!*rec) add(name + ": search document entry for missing record " + std::to_string(rid));
    }
    RETURN_IF_ERROR(dit->status());
    (void)entries;
  }

  // Statistics.
  auto n = view.GetRaw(Cf::kStat, keys::SearchDocCountKey(m.id));
  if (!n.ok()) return n.status();
  int64_t stored_docs = *n ? DecodeI64LE(**n) : 0;
  if (stored_docs != docs) {
    add(name + ": document count is " + std::to_string(stored_docs) +
        ", records: " + std::to_string(docs));
  }
  for (uint16_t fid : fids) {
    auto t = view.GetRaw(Cf::kStat, keys::SearchFieldTokensKey(m.id, fid));
    if (!t.ok()) return t.status();
    int64_t stored = *t ? DecodeI64LE(**t) : 0;
    const FieldInfo* f = m.FieldById(fid);
    if (stored != tokens[fid]) {
      add(name + "." + (f ? f->name() : std::to_string(fid)) + ": token total is " +
          std::to_string(stored) + ", expected " + std::to_string(tokens[fid]));
    }
  }
  // Document frequencies and the surface dictionary: every stored count against the expected
  // one (a key counting 0 is a word no longer present, which is allowed).
  auto compare_counts = [&](const std::string& prefix, const std::map<std::string, int64_t>& want,
                            const char* what) -> Status {
    auto cit = view.NewIterator(Cf::kStat, prefix, keys::PrefixSuccessor(prefix));
    auto w = want.begin();
    auto report_count = [&](const std::string& term, int64_t stored, int64_t expected) {
      add(name + ": " + what + " of \"" + keys::Printable(term) + "\" is " +
          std::to_string(stored) + ", expected " + std::to_string(expected));
    };
    for (cit->SeekToFirst(); cit->Valid(); cit->Next()) {
      std::string term(cit->key().substr(prefix.size()));
      int64_t stored = DecodeI64LE(cit->value());
      for (; w != want.end() && w->first < term; ++w) report_count(w->first, 0, w->second);
      int64_t expected = 0;
      if (w != want.end() && w->first == term) expected = (w++)->second;
      if (stored != expected) report_count(term, stored, expected);
    }
    RETURN_IF_ERROR(cit->status());
    for (; w != want.end(); ++w) report_count(w->first, 0, w->second);
    return Status::OK();
  };
  RETURN_IF_ERROR(compare_counts(keys::SearchDfPrefix(m.id), df, "document frequency"));
  RETURN_IF_ERROR(compare_counts(keys::SearchSurfacePrefix(m.id), surfaces, "surface count"));
  if (dict && dict->ready()) {
    for (const auto& [kind, want, what] :
         {std::tuple(TermDictionary::kTerms, &df, "term"),
          std::tuple(TermDictionary::kSurfaces, &surfaces, "surface")}) {
      for (const auto& [term, count] : *want) {
        if (count > 0 && TermDictionary::Held(term) && !dict->Contains(kind, term)) {
          add(name + ": the in-memory dictionary lacks the " + what + " \"" +
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
  auto add = [&](std::string line) {
    if (report.discrepancies.size() < 1000) report.discrepancies.push_back(std::move(line));
  };

  std::set<uint32_t> index_ids, model_ids;
  for (const auto& m : cat->models) {
    model_ids.insert(m.id);
    for (const auto& ix : m.indexes) index_ids.insert(ix.id);
  }

  for (const auto& m : cat->models) {
    const std::string p = keys::ModelPrefix(m.id);
    uint64_t max_id = 0;
    // Records -> index entries.
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
        continue;
      }
      for (const auto& ix : m.indexes) {
        if (ix.state != IndexState::kReady) continue;
        bool unique_form = false;
        std::string key = IndexKeyFor(ix, IndexValues(ix, *rv), rid, &unique_form);
        auto got = view->GetRaw(Cf::kIdx, key);
        if (!got.ok()) return got.status();
        if (!*got) {
          add("idx " + ix.name + ": record " + std::to_string(rid) + " has no index entry (key " +
              keys::Printable(key) + ")");
        } else if (unique_form &&
                   !(got->value().size() == 8 && keys::GetBE64(got->value().data()) == rid)) {
          add("idx " + ix.name + ": unique entry for record " + std::to_string(rid) +
              " points at record " +
              (got->value().size() == 8 ? std::to_string(keys::GetBE64(got->value().data()))
                                        : "<malformed>"));
        }
      }
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

    // Index entries -> records.
    for (const auto& ix : m.indexes) {
      if (ix.state != IndexState::kReady) continue;
      const std::string ip = keys::IndexPrefix(ix.id);
      auto iit = view->NewIterator(Cf::kIdx, ip, keys::PrefixSuccessor(ip));
      for (iit->SeekToFirst(); iit->Valid(); iit->Next()) {
        report.index_entries_checked++;
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
        auto rec = ReadVerified(*view, m, rid);
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
          add("idx " + ix.name + ": entry for record " + std::to_string(rid) + " has value (" +
              shown + ") but the record has (" + want + ")");
        }
      }
      RETURN_IF_ERROR(iit->status());
    }
  }

  for (const auto& m : cat->models) {
    std::shared_ptr<TermDictionary> dict = rep_->FindTermDictionary(m.id);
    RETURN_IF_ERROR(CheckSearch(*view, m, dict.get(), &report, add));
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
