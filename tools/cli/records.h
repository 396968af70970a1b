// Records in and out of the CLI: JSON input to the internal API's WriteInput, records to JSON and
// to human tables, aligned text tables and the progress bar.
//
// Record JSON is the shape Gadget's API returns (and the query layer's NodeToJson renders): "id"
// first as a decimal string, then the stored fields in schema order; belongsTo fields as
// "<field>Id" (the id string or null); dateTimes ISO-8601 "...Z"; richText as
// {"markdown", "truncatedHTML"}; json fields as JSON. Password fields are never output.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/internal_api.h"
#include "actiondb/status.h"
#include "engine/catalog.h"

namespace actiondb::cli {

using OrderedJson = nlohmann::ordered_json;

class Context;

// A model of the catalog in force, with the catalog kept alive as long as the reference.
struct ModelRef {
  std::shared_ptr<const engine::Catalog> catalog;
  const engine::ModelInfo* model = nullptr;
};
// kUnknownModel naming the model when the schema has none of that name.
Result<ModelRef> LookupModel(Database& db, std::string_view name);

// Prints a record a command wrote: its JSON (pretty) with ctx.json(), else a "field  value"
// table, preceded by `heading` when non-empty.
void PrintRecordOutput(Context& ctx, const engine::ModelInfo& model, const Record& record,
                       const std::string& heading = "");

// The field of `model` that an input name denotes: the field itself, or for "<field>Id" a
// belongsTo field <field> (the name records are output with). nullptr if none.
const engine::FieldInfo* ResolveFieldName(const engine::ModelInfo& model, std::string_view name);

// Parses a record's JSON input (create, update, upsert, import) into the internal API's
// WriteInput. The CLI accepts what ParseWriteInputJson accepts (`_atomics`, `{"_link": id}`,
// `{"markdown": ...}`) plus the "<field>Id" names records are printed with, so printed and
// exported records read back. Errors: kInvalidArgument "not valid JSON: ..." or "expected a
// JSON object ...", then ParseWriteInputJson's (kUnknownField, kInvalidArgument).
Result<WriteInput> ParseRecordInput(const Database& db, const engine::ModelInfo& model,
                                    std::string_view text);

// The items of a comma-separated list (--select, --on), trimmed, empty items dropped.
std::vector<std::string> SplitList(std::string_view text);

// The record as JSON, rendered by the query layer's NodeToJson (see the top of this file).
OrderedJson RecordToJson(const engine::ModelInfo& model, const Record& record);

// One short human rendering of a value in a JSON rendering: strings unquoted, cut at `width`
// code points with "…".
std::string CellText(const OrderedJson& value, size_t width = 60);

// Prints rows as an aligned text table with a header line. `rows` may be ragged.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// Prints a record as a two-column "field  value" table.
void PrintRecord(std::ostream& out, const OrderedJson& record);

// A one-line progress bar on a terminal: label, bar, count/total, rate and ETA. Redraws at most
// ten times a second; a disabled bar prints nothing. `total` 0 = unknown (no bar, no ETA).
class ProgressBar {
 public:
  ProgressBar(std::ostream& err, bool enabled, std::string label, uint64_t total,
              std::string unit = "records");
  ~ProgressBar();
  void Update(uint64_t done);
  void set_total(uint64_t total) { total_ = total; }
  // Draws the final state and ends the line.
  void Finish();

 private:
  void Draw(bool final_draw);
  std::ostream& err_;
  bool enabled_;
  std::string label_;
  uint64_t total_;
  std::string unit_;
  uint64_t done_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// Human byte counts: "512 B", "3.2 KiB", "1.5 MiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace actiondb::cli
