#!/usr/bin/env bash
# Runs the suite the way DESIGN.md describes: the fast suite on each database, the once-only tests once.
set -euo pipefail
BIN=.venv/bin
export COMMONGROUND_ENV=test
once_markers="browser or fuzz or slow"

echo "== unit and integration tests on SQLite =="
env -u DATABASE_URL "$BIN/pytest" -n 2 -m "not ($once_markers)" "$@"

if [ -n "${DATABASE_URL:-}" ]; then
  echo "== unit and integration tests on PostgreSQL =="
  "$BIN/pytest" -n 2 -m "not ($once_markers)" "$@"
fi

where=SQLite; [ -n "${DATABASE_URL:-}" ] && where=PostgreSQL
echo "== browser tests, API fuzzing and slow property tests (once, on $where) =="
"$BIN/pytest" -m "$once_markers" "$@"
