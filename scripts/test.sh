#!/usr/bin/env bash
# Builds ActionDB and runs every test twice: a normal build, then under ASan + UBSan.
# Installs what it needs first (scripts/bootstrap.sh). This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
JOBS="$(nproc)"

echo "== build (RelWithDebInfo) =="
cmake --preset default >/dev/null
cmake --build --preset default -j"$JOBS"
echo "== tests =="
ctest --preset default -j"$JOBS"

echo "== build (ASan + UBSan) =="
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$JOBS"
echo "== tests under ASan + UBSan =="
ctest --preset asan -j"$JOBS"
