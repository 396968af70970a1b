#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of ActionDB from Debian packages.
# Idempotent: packages already present are not fetched again. Run as root (or via sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  librocksdb-dev libflatbuffers-dev flatbuffers-compiler libxxhash-dev
  nlohmann-json3-dev libsodium-dev libicu-dev libstemmer-dev libedit-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev
  tmux clang-format
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
