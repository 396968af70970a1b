// Maintenance commands: `stats`, `check` (the consistency checker; exit code 3 on any
// discrepancy) and `compact`.
#include <filesystem>
#include <iostream>

#include "engine/key_format.h"
#include "engine/store.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"

namespace actiondb::cli {

namespace {

struct KeyRangeSize {
  uint64_t entries = 0;
  uint64_t bytes = 0;  // keys + values, uncompressed
};

// Counts the entries of [lower, upper) in a column family (a full scan of the range).
Result<KeyRangeSize> MeasureRange(engine::ReadView& view, engine::Cf cf, std::string lower,
                                  std::string upper) {
  KeyRangeSize size;
  auto it = view.NewIterator(cf, std::move(lower), std::move(upper));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    size.entries++;
    size.bytes += it->key().size() + it->value().size();
  }
  RETURN_IF_ERROR(it->status());
  return size;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

class StatsCommand : public Command {
 public:
  std::string name() const override { return "stats"; }
  std::string summary() const override {
    return "records per model, index and search-index sizes, RocksDB properties, disk use";
  }
  std::string details() const override {
    return "Index and search-index sizes are entries and uncompressed key+value bytes, counted\n"
           "by scanning them; RocksDB's own per-column-family estimates follow.";
  }
  Status Run(Context& ctx, const Args&) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(DatabaseStats stats, db->Stats());
    std::unique_ptr<engine::ReadView> view = db->store().NewReadView();
    const engine::Catalog& catalog = view->catalog();
    OrderedJson models = OrderedJson::array();
    std::vector<std::vector<std::string>> model_rows, index_rows;
    for (const auto& ms : stats.models) {
      const engine::ModelInfo* m = catalog.FindModel(ms.model);
      OrderedJson indexes = OrderedJson::array();
      if (m != nullptr) {
        for (const auto& ix : m->indexes) {
          std::string p = engine::keys::IndexPrefix(ix.id);
          ASSIGN_OR_RETURN(KeyRangeSize size, MeasureRange(*view, engine::Cf::kIdx, p,
                                                           engine::keys::PrefixSuccessor(p)));
          const char* state = ix.state == engine::IndexState::kReady ? "ready" : "building";
          indexes.push_back({{"name", ix.name},
                             {"unique", ix.unique},
                             {"state", state},
                             {"entries", size.entries},
                             {"bytes", size.bytes}});
          index_rows.push_back({ix.name, ix.unique ? "yes" : "", state,
                                std::to_string(size.entries), FormatBytes(size.bytes)});
        }
      }
      models.push_back({{"model", ms.model},
                        {"records", ms.record_count},
                        {"nextId", std::to_string(ms.next_id)},
                        {"indexes", indexes}});
      model_rows.push_back({ms.model, std::to_string(ms.record_count), std::to_string(ms.next_id),
                            std::to_string(indexes.size())});
    }
    ASSIGN_OR_RETURN(KeyRangeSize search, MeasureRange(*view, engine::Cf::kFts, "", ""));
    OrderedJson cfs = OrderedJson::object();
    for (const auto& [cf, props] : stats.column_families) cfs[cf] = props;
    if (ctx.json()) {
      ctx.out() << OrderedJson{{"models", models},
                               {"searchIndex",
                                {{"entries", search.entries}, {"bytes", search.bytes}}},
                               {"columnFamilies", cfs},
                               {"diskBytes", stats.disk_bytes},
                               {"memory",
                                {{"blockCacheBytes", stats.block_cache_bytes},
                                 {"blockCachePinnedBytes", stats.block_cache_pinned_bytes},
                                 {"rowCacheBytes", stats.row_cache_bytes},
                                 {"memtableBytes", stats.memtable_bytes},
                                 {"tableReaderBytes", stats.table_reader_bytes}}}}
                       .dump(2)
                << "\n";
      return Status::OK();
    }
    std::ostream& out = ctx.out();
    out << "models\n";
    PrintTable(out, {"model", "records", "next id", "indexes"}, model_rows);
    out << "\nindexes\n";
    PrintTable(out, {"index", "unique", "state", "entries", "size"}, index_rows);
    out << "\nsearch index: " << search.entries << " entries, " << FormatBytes(search.bytes)
        << "\n\nRocksDB column families\n";
    std::vector<std::vector<std::string>> cf_rows;
    for (const auto& [cf, props] : stats.column_families) cf_rows.push_back({cf, props});
    PrintTable(out, {"cf", "properties"}, cf_rows);
    out << "\ndisk: " << FormatBytes(stats.disk_bytes) << " in " << ctx.data_dir() << "\n";
    out << "memory: block cache " << FormatBytes(stats.block_cache_bytes) << " (pinned "
        << FormatBytes(stats.block_cache_pinned_bytes) << "), row cache "
        << FormatBytes(stats.row_cache_bytes) << ", memtables " << FormatBytes(stats.memtable_bytes)
        << ", table readers " << FormatBytes(stats.table_reader_bytes) << "\n";
    return Status::OK();
  }
};

class CheckCommand : public Command {
 public:
  std::string name() const override { return "check"; }
  std::string summary() const override {
    return "verify records, indexes and id counters agree (exit code 3 on discrepancies)";
  }
  std::string details() const override {
    return "Runs the consistency checker over one snapshot: every record decodes, has each\n"
           "index entry it should, every index entry points at a record with that value, and\n"
           "the id counters are above every id. Prints each discrepancy on its own line and\n"
           "exits with 3 when there is any.";
  }
  Status Run(Context& ctx, const Args&) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(CheckReport report, db->Check());
    if (ctx.json()) {
      ctx.out() << OrderedJson{{"ok", report.ok()},
                               {"recordsChecked", report.records_checked},
                               {"indexEntriesChecked", report.index_entries_checked},
                               {"postingsChecked", report.postings_checked},
                               {"discrepancies", report.discrepancies}}
                       .dump(2)
                << "\n";
    } else {
      for (const auto& d : report.discrepancies) ctx.out() << d << "\n";
      ctx.out() << (report.ok() ? "ok"
                                : std::to_string(report.discrepancies.size()) + " discrepancies")
                << ": " << report.records_checked << " records, " << report.index_entries_checked
                << " index entries, " << report.postings_checked << " postings checked\n";
    }
    if (!report.ok()) ctx.set_exit_code(kExitCheckFailed);
    return Status::OK();
  }
};

class CompactCommand : public Command {
 public:
  std::string name() const override { return "compact"; }
  std::string summary() const override {
    return "compact every column family fully (reclaims space of deleted data)";
  }
  Status Run(Context& ctx, const Args&) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    uint64_t before = DirectoryBytes(ctx.data_dir());
    RETURN_IF_ERROR(db->Compact());
    uint64_t after = DirectoryBytes(ctx.data_dir());
    if (ctx.json()) {
      ctx.out() << OrderedJson{{"compacted", true},
                               {"diskBytesBefore", before},
                               {"diskBytesAfter", after}}
                       .dump(2)
                << "\n";
    } else {
      ctx.out() << "compacted: " << FormatBytes(before) << " -> " << FormatBytes(after) << "\n";
    }
    return Status::OK();
  }
};

}  // namespace

void AddMaintenanceCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<StatsCommand>());
  out->push_back(std::make_unique<CheckCommand>());
  out->push_back(std::make_unique<CompactCommand>());
}

}  // namespace actiondb::cli
