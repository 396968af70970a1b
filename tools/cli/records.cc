// Record input/output for the CLI (see records.h): JSON conversion, tables, the progress bar.
#include "tools/cli/records.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "engine/json_value.h"
#include "engine/rich_text.h"
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
                       const std::vector<std::string>& select, const std::string& heading) {
  OrderedJson j = RecordToJson(model, record, select);
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

Result<FieldValues> FieldValuesFromJson(const engine::ModelInfo& model,
                                        const nlohmann::json& input) {
  if (!input.is_object()) {
    return Status(Code::kInvalidArgument, "expected a JSON object of " + model.api_identifier +
                                              " fields but got " + input.dump().substr(0, 80));
  }
  FieldValues values;
  for (const auto& [name, j] : input.items()) {
    const engine::FieldInfo* f = ResolveFieldName(model, name);
    if (f == nullptr) {
      return Status(Code::kUnknownField,
                    "unknown field \"" + name + "\" on model " + model.api_identifier);
    }
    ASSIGN_OR_RETURN(Value v, ValueFromJson(j, f->type(), f->def.enum_multi,
                                            model.api_identifier + "." + f->name()));
    values.emplace_back(f->name(), std::move(v));
  }
  return values;
}

Result<FieldValues> FieldValuesFromJsonText(const engine::ModelInfo& model, std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::string shown(text.substr(0, 80));
    return Status(Code::kInvalidArgument, "not valid JSON: " + shown);
  }
  return FieldValuesFromJson(model, j);
}

Result<std::vector<std::string>> ParseSelect(const engine::ModelInfo& model,
                                             std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string name(text.substr(start, comma - start));
    start = comma + 1;
    if (name.empty()) continue;
    const engine::FieldInfo* f = ResolveFieldName(model, name);
    if (f == nullptr || (!f->stored() && f->type() != FieldType::kId)) {
      return Status(Code::kUnknownField, "unknown field \"" + name + "\" on model " +
                                             model.api_identifier + " in --select");
    }
    if (f->type() == FieldType::kPassword) {
      return Status(Code::kInvalidArgument,
                    model.api_identifier + "." + f->name() + " is a password and is never output");
    }
    out.push_back(f->name());
  }
  return out;
}

OrderedJson RecordToJson(const engine::ModelInfo& model, const Record& record,
                         const std::vector<std::string>& select) {
  OrderedJson j = OrderedJson::object();
  j["id"] = std::to_string(record.id);
  for (const auto& [name, v] : record.fields) {
    if (!select.empty() && std::find(select.begin(), select.end(), name) == select.end()) {
      continue;
    }
    const engine::FieldInfo* f = model.FindField(name);
    FieldType type = f != nullptr ? f->type() : FieldType::kString;
    if (type == FieldType::kBelongsTo) {
      j[name + "Id"] = v.is_null() ? OrderedJson(nullptr) : OrderedJson(std::to_string(v.as_id()));
    } else if (type == FieldType::kRichText) {
      j[name] = v.is_null() ? OrderedJson(nullptr)
                            : OrderedJson{{"markdown", v.as_string()},
                                          {"truncatedHTML", engine::TruncatedHtml(v.as_string())}};
    } else {
      j[name] = OrderedJson(ValueToJson(v));
    }
  }
  return j;
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
