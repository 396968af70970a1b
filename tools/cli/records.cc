// Record input/output for the CLI (see records.h): JSON conversion, tables, the progress bar.
#include "tools/cli/records.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "actiondb/query.h"
#include "engine/store.h"
#include "tools/cli/command.h"

namespace actiondb::cli {

namespace {

// Code points in a UTF-8 string (continuation bytes are not counted).
size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The first `max` code points of `s`.
std::string Utf8Prefix(std::string_view s, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == max) return std::string(s.substr(0, i));
      ++n;
    }
  }
  return std::string(s);
}

}  // namespace

Result<ModelRef> LookupModel(Database& db, std::string_view name) {
  ModelRef ref;
  ref.catalog = db.store().catalog();
  ASSIGN_OR_RETURN(ref.model, ref.catalog->GetModel(name));
  return ref;
}

void PrintRecordOutput(Context& ctx, const engine::ModelInfo& model, const Record& record,
                       const std::string& heading) {
  OrderedJson j = RecordToJson(model, record);
  if (ctx.json()) {
    ctx.out() << j.dump(2) << "\n";
    return;
  }
  if (!heading.empty()) ctx.out() << heading << "\n";
  PrintRecord(ctx.out(), j);
}

const engine::FieldInfo* ResolveFieldName(const engine::ModelInfo& model, std::string_view name) {
  if (const engine::FieldInfo* f = model.FindField(name)) return f;
  if (name.size() > 2 && name.substr(name.size() - 2) == "Id") {
    const engine::FieldInfo* f = model.FindField(name.substr(0, name.size() - 2));
    if (f != nullptr && f->type() == FieldType::kBelongsTo) return f;
  }
  return nullptr;
}

Result<WriteInput> ParseRecordInput(const Database& db, const engine::ModelInfo& model,
                                    std::string_view text) {
  nlohmann::ordered_json input = nlohmann::ordered_json::parse(text, nullptr, false);
  if (input.is_discarded()) {
    return Status(Code::kInvalidArgument, "not valid JSON: " + std::string(text.substr(0, 80)));
  }
  if (!input.is_object()) {
    return Status(Code::kInvalidArgument, "expected a JSON object of " + model.api_identifier +
                                              " fields but got " + input.dump().substr(0, 80));
  }
  // "authorId" -> "author": the output name of a belongsTo field is accepted as input. Other
  // names pass through for ParseWriteInputJson to resolve (or reject with kUnknownField).
  bool renamed = false;
  nlohmann::ordered_json normalized = nlohmann::ordered_json::object();
  for (auto& [name, value] : input.items()) {
    const engine::FieldInfo* f = model.FindField(name) ? nullptr : ResolveFieldName(model, name);
    if (f != nullptr && !input.contains(f->name())) {
      normalized[f->name()] = std::move(value);
      renamed = true;
    } else {
      normalized[name] = std::move(value);
    }
  }
  return ParseWriteInputJson(db, model.api_identifier, renamed ? normalized.dump() : text);
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    size_t b = item.find_first_not_of(" \t");
    if (b == std::string_view::npos) continue;
    size_t e = item.find_last_not_of(" \t");
    out.emplace_back(item.substr(b, e - b + 1));
  }
  return out;
}

OrderedJson RecordToJson(const engine::ModelInfo& model, const Record& record) {
  Node node;
  node.record.id = record.id;
  for (const auto& [name, value] : record.fields) {
    const engine::FieldInfo* f = model.FindField(name);
    FieldType type = f != nullptr ? f->type() : FieldType::kString;
    if (type == FieldType::kPassword) continue;  // never output
    node.record.fields.emplace_back(name, value);
    node.field_types.push_back(type);
  }
  return OrderedJson::parse(NodeToJson(node));
}

std::string CellText(const OrderedJson& value, size_t width) {
  std::string s;
  if (value.is_null()) {
    s = "";
  } else if (value.is_string()) {
    s = value.get<std::string>();
  } else if (value.is_object() && value.contains("markdown")) {
    s = value["markdown"].get<std::string>();
  } else {
    s = value.dump();
  }
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (Utf8Length(s) > width) s = Utf8Prefix(s, width - 1) + "\u2026";
  return s;
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i >= widths.size()) widths.push_back(0);
      widths[i] = std::max(widths[i], Utf8Length(row[i]));
    }
  };
  widen(header);
  for (const auto& r : rows) widen(r);
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t i = 0; i < row.size(); ++i) {
      s += row[i];
      if (i + 1 < row.size()) s += std::string(widths[i] - Utf8Length(row[i]) + 2, ' ');
    }
    out << s << "\n";
  };
  line(header);
  std::vector<std::string> rule;
  for (size_t i = 0; i < header.size(); ++i) rule.push_back(std::string(widths[i], '-'));
  line(rule);
  for (const auto& r : rows) line(r);
}

void PrintRecord(std::ostream& out, const OrderedJson& record) {
  size_t width = 0;
  for (const auto& [k, v] : record.items()) width = std::max(width, k.size());
  for (const auto& [k, v] : record.items()) {
    out << k << std::string(width - k.size() + 2, ' ') << CellText(v, 100) << "\n";
  }
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[u]);
  return buf;
}

// ---- ProgressBar ----

ProgressBar::ProgressBar(std::ostream& err, bool enabled, std::string label, uint64_t total,
                         std::string unit)
    : err_(err),
      enabled_(enabled),
      label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - std::chrono::seconds(1)) {}

ProgressBar::~ProgressBar() {
  if (enabled_ && !finished_ && done_ > 0) {
    // Interrupted (an error): end the line so the error message starts on its own.
    err_ << "\n";
    err_.flush();
  }
}

void ProgressBar::Update(uint64_t done) {
  done_ = done;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(false);
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  Draw(true);
  err_ << "\n";
  err_.flush();
}

void ProgressBar::Draw(bool final_draw) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
  char buf[256];
  std::string line = "\r" + label_ + " ";
  if (total_ > 0) {
    double frac = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    int filled = static_cast<int>(frac * 30);
    line += "[" + std::string(filled, '#') + std::string(30 - filled, '.') + "] ";
    std::snprintf(buf, sizeof(buf), "%llu/%llu %3.0f%% ", static_cast<unsigned long long>(done_),
                  static_cast<unsigned long long>(total_), frac * 100);
    line += buf;
  } else {
    std::snprintf(buf, sizeof(buf), "%llu ", static_cast<unsigned long long>(done_));
    line += buf;
  }
  std::snprintf(buf, sizeof(buf), "%.0f %s/s", rate, unit_.c_str());
  line += buf;
  if (total_ > 0 && !final_draw && rate > 0 && done_ < total_) {
    double eta = static_cast<double>(total_ - done_) / rate;
    std::snprintf(buf, sizeof(buf), " ETA %dm%02ds", static_cast<int>(eta) / 60,
                  static_cast<int>(eta) % 60);
    line += buf;
  } else if (final_draw) {
    std::snprintf(buf, sizeof(buf), " in %.1fs", secs);
    line += buf;
  }
  line += "\x1b[K";  // clear to the end of the line
  err_ << line;
  err_.flush();
}

}  // namespace actiondb::cli
