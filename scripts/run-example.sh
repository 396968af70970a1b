#!/usr/bin/env bash
# Builds ActionDB and runs the main job: the `actiondb` CLI on the bundled example app (the
# blog from the seed documents), creating its data in ./actiondb-data on first run.
# Extra arguments go to `actiondb example` (see docs/cli.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target actiondb_tool >/dev/null
exec ./build/default/tools/actiondb --data "${ACTIONDB_DATA:-./actiondb-data}" example "$@"
