// Value constructors, comparison and the ISO-8601 date/time codec.
#include "actiondb/value.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace actiondb {

const char* ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kString:
      return "string";
    case ValueKind::kStringList:
      return "list of strings";
    case ValueKind::kDateTime:
      return "dateTime";
    case ValueKind::kId:
      return "id";
    case ValueKind::kJson:
      return "json";
  }
  return "?";
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.b_ = b;
  return v;
}
Value Value::Number(double d) {
  Value v;
  v.kind_ = ValueKind::kNumber;
  v.d_ = (d == 0.0) ? 0.0 : d;  // -0 -> +0
  return v;
}
Value Value::String(std::string s) {
  Value v;
  v.kind_ = ValueKind::kString;
  v.s_ = std::move(s);
  return v;
}
Value Value::StringList(std::vector<std::string> items) {
  Value v;
  v.kind_ = ValueKind::kStringList;
  v.list_ = std::move(items);
  return v;
}
Value Value::DateTime(int64_t millis) {
  Value v;
  v.kind_ = ValueKind::kDateTime;
  v.i_ = millis;
  return v;
}
Value Value::Id(uint64_t id) {
  Value v;
  v.kind_ = ValueKind::kId;
  v.i_ = static_cast<int64_t>(id);
  return v;
}
Value Value::Json(std::string json_text) {
  Value v;
  v.kind_ = ValueKind::kJson;
  v.s_ = std::move(json_text);
  return v;
}

bool Value::operator==(const Value& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case ValueKind::kNull:
      return true;
    case ValueKind::kBool:
      return b_ == o.b_;
    case ValueKind::kNumber:
      return d_ == o.d_;
    case ValueKind::kString:
    case ValueKind::kJson:
      return s_ == o.s_;
    case ValueKind::kStringList:
      return list_ == o.list_;
    case ValueKind::kDateTime:
    case ValueKind::kId:
      return i_ == o.i_;
  }
  return false;
}

static std::string Quote(const std::string& s) {
  std::string out = "\"";
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    // Cut at 64 code points, never inside a UTF-8 sequence.
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++n > 64) {
      out += "...";
      break;
    }
    out += s[i];
  }
  return out + "\"";
}

std::string Value::DebugString() const {
  switch (kind_) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return b_ ? "true" : "false";
    case ValueKind::kNumber: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d_);
      return buf;
    }
    case ValueKind::kString:
      return Quote(s_);
    case ValueKind::kJson:
      return s_.size() > 64 ? s_.substr(0, 64) + "..." : s_;
    case ValueKind::kStringList: {
      std::string out = "[";
      for (size_t i = 0; i < list_.size(); ++i) out += (i ? ", " : "") + Quote(list_[i]);
      return out + "]";
    }
    case ValueKind::kDateTime:
      return FormatDateTime(i_);
    case ValueKind::kId:
      return std::to_string(static_cast<uint64_t>(i_));
  }
  return "?";
}

// Days from civil, after Howard Hinnant's algorithm (proleptic Gregorian, no time zone).
static int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

static void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::string FormatDateTime(int64_t millis) {
  int64_t days = millis / 86400000;
  int64_t rem = millis % 86400000;
  if (rem < 0) {
    rem += 86400000;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const int64_t h = rem / 3600000, mi = rem / 60000 % 60, s = rem / 1000 % 60, ms = rem % 1000;
  if (y >= 0 && y <= 9999) {
    // JSON renders every date this way, and an update of a date field analyzes its text:
    // snprintf's format parsing was most of the cost.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&](size_t at, int64_t v, int width) {
      for (int i = width - 1; i >= 0; --i, v /= 10) out[at + i] = static_cast<char>('0' + v % 10);
    };
    put(0, y, 4);
    put(5, m, 2);
    put(8, d, 2);
    put(11, h, 2);
    put(14, mi, 2);
    put(17, s, 2);
    put(20, ms, 3);
    return out;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(h),
                static_cast<long long>(mi), static_cast<long long>(s), static_cast<long long>(ms));
  return buf;
}

Result<int64_t> ParseDateTime(std::string_view text) {
  auto bad = [&]() {
    return Status(Code::kInvalidArgument,
                  "\"" + std::string(text) + "\" is not a valid ISO-8601 date/time");
  };
  size_t p = 0;
  auto digits = [&](int n, int* out) {
    if (p + n > text.size()) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      char c = text[p + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    p += n;
    *out = v;
    return true;
  };
  auto expect = [&](char c) {
    if (p < text.size() && text[p] == c) {
      ++p;
      return true;
    }
    return false;
  };
  int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
  if (!digits(4, &y) || !expect('-') || !digits(2, &mo) || !expect('-') || !digits(2, &d)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1) return bad();
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) return bad();
  int64_t offset_min = 0;
  if (p < text.size()) {
    if (!expect('T') && !expect(' ')) return bad();
    if (!digits(2, &h) || !expect(':') || !digits(2, &mi)) return bad();
    if (expect(':')) {
      if (!digits(2, &s)) return bad();
      if (expect('.')) {
        // 1 to 9 fraction digits; keep milliseconds (truncate beyond).
        int n = 0, frac = 0;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
          if (n < 3) frac = frac * 10 + (text[p] - '0');
          ++n;
          ++p;
        }
        if (n == 0 || n > 9) return bad();
        for (int k = n; k < 3; ++k) frac *= 10;
        ms = frac;
      }
    }
    if (h > 23 || mi > 59 || s > 59) return bad();
    if (expect('Z') || expect('z')) {
    } else if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
      int sign = text[p] == '-' ? -1 : 1;
      ++p;
      int oh, om;
      if (!digits(2, &oh)) return bad();
      expect(':');
      if (!digits(2, &om)) return bad();
      if (oh > 23 || om > 59) return bad();
      offset_min = sign * (oh * 60 + om);
    }
    if (p != text.size()) return bad();
  }
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400000 + h * 3600000LL + mi * 60000LL + s * 1000LL + ms - offset_min * 60000LL;
}

}  // namespace actiondb
