// Public-API field validations (see validation.h).
#include "engine/validation.h"

#include <cstdio>
#include <mutex>
#include <regex>
#include <unordered_map>

namespace actiondb::engine {

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

bool IsValidEmail(std::string_view s) {
  // local@domain.tld: no spaces, one @, a dot in the domain, no empty labels.
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = s.substr(at + 1);
  if (domain.empty() || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '>' || c == ',')
      return false;
  }
  return true;
}

bool IsValidUrl(std::string_view s) {
  size_t scheme_end = s.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  for (size_t i = 0; i < scheme_end; ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  std::string_view rest = s.substr(scheme_end + 3);
  if (rest.empty() || rest[0] == '/' || rest[0] == '?' || rest[0] == '#') return false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
  }
  return true;
}

static std::string FormatNumber(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

static bool RegexMatches(const std::string& pattern, const std::string& value) {
  // Compiled patterns are cached; std::regex construction is expensive.
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<std::regex>> cache;
  std::shared_ptr<std::regex> re;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = cache[pattern];
    if (!slot) slot = std::make_shared<std::regex>(pattern, std::regex::ECMAScript);
    re = slot;
  }
  return std::regex_match(value, *re);
}

void ValidateFieldValue(const FieldInfo& field, const Value& value,
                        std::vector<ValidationError>* errors) {
  const Validations& v = field.def.validations;
  const std::string& name = field.name();
  if (value.is_null()) return;  // required is the store's job
  if (value.kind() == ValueKind::kString) {
    const std::string& s = value.as_string();
    size_t len = CodePointCount(s);
    if (v.min_length && len < *v.min_length) {
      errors->push_back(
          {name, "is too short (minimum is " + std::to_string(*v.min_length) + " characters)"});
    }
    if (v.max_length && len > *v.max_length) {
      errors->push_back(
          {name, "is too long (maximum is " + std::to_string(*v.max_length) + " characters)"});
    }
    if (v.regex && !RegexMatches(*v.regex, s)) {
      errors->push_back({name, "does not match the required pattern " + *v.regex});
    }
    if (field.type() == FieldType::kEmail && !IsValidEmail(s)) {
      errors->push_back({name, "is not a valid email address"});
    }
    if (field.type() == FieldType::kUrl && !IsValidUrl(s)) {
      errors->push_back({name, "is not a valid URL"});
    }
  }
  if (value.kind() == ValueKind::kNumber) {
    double d = value.as_number();
    if (v.min_value && d < *v.min_value) {
      errors->push_back({name, "must be greater than or equal to " + FormatNumber(*v.min_value)});
    }
    if (v.max_value && d > *v.max_value) {
      errors->push_back({name, "must be less than or equal to " + FormatNumber(*v.max_value)});
    }
  }
}

}  // namespace actiondb::engine
