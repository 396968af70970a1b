// Shell-style word splitting for the `shell` command (see shell_words.h).
#include "tools/cli/shell_words.h"

namespace actiondb::cli {

namespace {

// Splits `line` into its complete words; the last word, complete or not, goes to `*partial`
// (`*in_word`: there is one). `*unterminated`: the line ends in a quote or after a backslash.
std::vector<std::string> Split(std::string_view line, std::string* partial, bool* in_word,
                               bool* unterminated) {
  std::vector<std::string> words;
  std::string cur;
  bool have = false;
  char quote = 0;
  *unterminated = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        cur += c;
      }
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < line.size() &&
                 (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$' ||
                  line[i + 1] == '`')) {
        cur += line[++i];
      } else {
        cur += c;
      }
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (have) words.push_back(cur);
      cur.clear();
      have = false;
    } else if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) {
        *unterminated = true;
      } else {
        cur += line[++i];
      }
      have = true;
    } else {
      cur += c;
      have = true;
    }
  }
  if (quote != 0) *unterminated = true;
  *in_word = have;
  *partial = cur;
  return words;
}

}  // namespace

Result<std::vector<std::string>> SplitWords(std::string_view line) {
  std::string partial;
  bool in_word = false, unterminated = false;
  std::vector<std::string> words = Split(line, &partial, &in_word, &unterminated);
  if (unterminated) {
    return Status(Code::kInvalidArgument, "unterminated quote or trailing backslash");
  }
  if (in_word) words.push_back(partial);
  return words;
}

std::vector<std::string> SplitWordsLenient(std::string_view line, std::string* partial) {
  bool in_word = false, unterminated = false;
  std::vector<std::string> words = Split(line, partial, &in_word, &unterminated);
  if (!in_word) partial->clear();
  return words;
}

}  // namespace actiondb::cli
