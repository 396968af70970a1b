// The consistency checker (docs/consistency.md). Over one snapshot it verifies, in both
// directions, that every index entry belongs to a record with that value and every record has
// all of its index entries; that unique entries point at the right record; that every record
// decodes; that id high-water marks cover every stored id; and that no entries remain for
// dropped models or indexes.
#include <algorithm>
#include <set>

#include "engine/merge_operators.h"
#include "engine/store_internal.h"

namespace actiondb::engine {

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
      auto rv = RecordView::Parse(std::string(it->value()), rid, m.api_identifier);
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
        auto rec = view->GetRecord(m, rid);
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
