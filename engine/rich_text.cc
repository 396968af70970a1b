// A small, safe markdown renderer for richText's truncatedHTML.
#include "engine/rich_text.h"

#include <vector>

namespace actiondb::engine {

namespace {

void Escape(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&#39;";
        break;
      default:
        out->push_back(c);
    }
  }
}

bool SafeUrl(std::string_view url) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0 ||
      url.rfind("mailto:", 0) == 0) {
    return true;
  }
  return url.find(':') == std::string_view::npos;  // relative
}

// Inline spans: **bold**, *italic*, `code`, [text](url).
void RenderInline(std::string_view s, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '`') {
      size_t end = s.find('`', i + 1);
      if (end != std::string_view::npos) {
        *out += "<code>";
        Escape(s.substr(i + 1, end - i - 1), out);
        *out += "</code>";
        i = end + 1;
        continue;
      }
    }
    if (s.compare(i, 2, "**") == 0) {
      size_t end = s.find("**", i + 2);
      if (end != std::string_view::npos && end > i + 2) {
        *out += "<strong>";
        RenderInline(s.substr(i + 2, end - i - 2), out);
        *out += "</strong>";
        i = end + 2;
        continue;
      }
    }
    if (s[i] == '*' || s[i] == '_') {
      size_t end = s.find(s[i], i + 1);
      if (end != std::string_view::npos && end > i + 1) {
        *out += "<em>";
        RenderInline(s.substr(i + 1, end - i - 1), out);
        *out += "</em>";
        i = end + 1;
        continue;
      }
    }
    if (s[i] == '[') {
      size_t close = s.find("](", i + 1);
      size_t end = std::string_view::npos;
      if (close != std::string_view::npos) {
        // The URL ends at the ')' that balances the opening one: "(a(b)c)" is one URL.
        int depth = 1;
        for (size_t k = close + 2; k < s.size(); ++k) {
          if (s[k] == '(') ++depth;
          if (s[k] == ')' && --depth == 0) {
            end = k;
            break;
          }
        }
      }
      if (end != std::string_view::npos) {
        std::string_view text = s.substr(i + 1, close - i - 1);
        std::string_view url = s.substr(close + 2, end - close - 2);
        if (SafeUrl(url)) {
          *out += "<a href=\"";
          Escape(url, out);
          *out += "\">";
          RenderInline(text, out);
          *out += "</a>";
        } else {
          RenderInline(text, out);
        }
        i = end + 1;
        continue;
      }
    }
    Escape(s.substr(i, 1), out);
    ++i;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string MarkdownToHtml(std::string_view md) {
  std::string out;
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= md.size()) {
    size_t nl = md.find('\n', start);
    if (nl == std::string_view::npos) nl = md.size();
    lines.push_back(md.substr(start, nl - start));
    start = nl + 1;
  }
  std::string para;
  const char* list = nullptr;  // "ul" / "ol" while in a list
  auto flush_para = [&]() {
    if (!para.empty()) {
      out += "<p>";
      RenderInline(para, &out);
      out += "</p>";
      para.clear();
    }
  };
  auto close_list = [&]() {
    if (list) {
      out += std::string("</") + list + ">";
      list = nullptr;
    }
  };
  for (std::string_view raw : lines) {
    std::string_view line = Trim(raw);
    if (line.empty()) {
      flush_para();
      close_list();
      continue;
    }
    size_t hashes = 0;
    while (hashes < line.size() && hashes < 6 && line[hashes] == '#') ++hashes;
    if (hashes > 0 && hashes < line.size() && line[hashes] == ' ') {
      flush_para();
      close_list();
      std::string tag = "h" + std::to_string(hashes);
      out += "<" + tag + ">";
      RenderInline(Trim(line.substr(hashes + 1)), &out);
      out += "</" + tag + ">";
      continue;
    }
    const char* kind = nullptr;
    std::string_view item;
    if ((line[0] == '-' || line[0] == '*' || line[0] == '+') && line.size() > 1 && line[1] == ' ') {
      kind = "ul";
      item = line.substr(2);
    } else {
      size_t d = 0;
      while (d < line.size() && line[d] >= '0' && line[d] <= '9') ++d;
      if (d > 0 && d + 1 < line.size() && line[d] == '.' && line[d + 1] == ' ') {
        kind = "ol";
        item = line.substr(d + 2);
      }
    }
    if (kind) {
      flush_para();
      if (list && std::string_view(list) != kind) close_list();
      if (!list) {
        list = kind;
        out += std::string("<") + kind + ">";
      }
      out += "<li>";
      RenderInline(Trim(item), &out);
      out += "</li>";
      continue;
    }
    close_list();
    if (!para.empty()) para += " ";
    para += line;
  }
  flush_para();
  close_list();
  return out;
}

std::string TruncatedHtml(std::string_view markdown, size_t max_chars) {
  std::string html = MarkdownToHtml(markdown);
  std::string out;
  std::vector<std::string> open;
  size_t visible = 0;
  size_t i = 0;
  bool cut = false;
  while (i < html.size()) {
    if (html[i] == '<') {
      size_t end = html.find('>', i);
      std::string tag = html.substr(i, end - i + 1);
      out += tag;
      std::string name;
      size_t p = tag[1] == '/' ? 2 : 1;
      while (p < tag.size() && tag[p] != ' ' && tag[p] != '>') name.push_back(tag[p++]);
      if (tag[1] == '/') {
        if (!open.empty()) open.pop_back();
      } else {
        open.push_back(name);
      }
      i = end + 1;
      continue;
    }
    if (visible == max_chars) {
      cut = true;
      break;
    }
    // One visible character: an entity or a whole UTF-8 sequence.
    size_t len = 1;
    if (html[i] == '&') {
      len = html.find(';', i) - i + 1;
    } else {
      unsigned char c = static_cast<unsigned char>(html[i]);
      len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
    out.append(html, i, len);
    i += len;
    ++visible;
  }
  if (cut) out += "…";
  for (auto it = open.rbegin(); it != open.rend(); ++it) out += "</" + *it + ">";
  return out;
}

}  // namespace actiondb::engine
