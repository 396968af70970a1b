// Argon2id password hashing through libsodium.
#include "engine/password.h"

#include <sodium.h>

namespace actiondb::engine {

static bool InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

Result<std::string> HashPassword(std::string_view plaintext, bool fast) {
  if (!InitSodium()) return Status(Code::kInternal, "libsodium failed to initialize");
  char out[crypto_pwhash_STRBYTES];
  unsigned long long ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(out, plaintext.data(), plaintext.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status(Code::kInternal, "password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPasswordHash(const std::string& hash, std::string_view plaintext) {
  if (!InitSodium()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), plaintext.data(), plaintext.size()) == 0;
}

bool LooksHashed(std::string_view value) { return value.rfind("$argon2id$", 0) == 0; }

}  // namespace actiondb::engine
