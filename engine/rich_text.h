// Rich text fields: the stored value is markdown; `truncatedHTML` is derived on read.
#pragma once

#include <string>
#include <string_view>

namespace actiondb::engine {

// Renders a markdown subset (paragraphs, # headings, - / * / 1. lists, **bold**, *italic*,
// `code`, [text](url)) to HTML, escaping everything else. Raw HTML is escaped, never passed
// through; link URLs other than http(s), mailto and relative ones are dropped.
std::string MarkdownToHtml(std::string_view markdown);

// The HTML of the markdown cut after `max_chars` visible characters (code points), with "…"
// appended when cut and every open tag closed.
std::string TruncatedHtml(std::string_view markdown, size_t max_chars = 250);

}  // namespace actiondb::engine
