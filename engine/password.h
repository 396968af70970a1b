// Password fields: Argon2id hashes (libsodium crypto_pwhash_str), never returned by reads.
#pragma once

#include <string>
#include <string_view>

#include "actiondb/status.h"

namespace actiondb::engine {

// Hashes `plaintext` to an encoded "$argon2id$..." string. `fast` uses libsodium's minimum
// limits (tests, sample data), otherwise its "interactive" limits.
Result<std::string> HashPassword(std::string_view plaintext, bool fast);
bool VerifyPasswordHash(const std::string& hash, std::string_view plaintext);
bool LooksHashed(std::string_view value);

}  // namespace actiondb::engine
