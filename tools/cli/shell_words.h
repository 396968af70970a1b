// Splitting a shell line into words the way a POSIX shell does for simple commands: blanks
// separate words; '...' quotes literally; "..." quotes with \" \\ \$ \` escapes; a backslash
// outside quotes escapes the next character. No expansions. Used by `shell` to run lines and
// to find the word Tab completes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "actiondb/status.h"

namespace actiondb::cli {

// The words of `line`; kInvalidArgument on an unterminated quote or a trailing backslash.
Result<std::vector<std::string>> SplitWords(std::string_view line);

// For completion: the complete words of `line` (a prefix of the line, up to the cursor), and in
// `*partial` the unquoted text of the word under the cursor ("" after a blank). Never fails: an
// open quote just belongs to the partial word.
std::vector<std::string> SplitWordsLenient(std::string_view line, std::string* partial);

}  // namespace actiondb::cli
