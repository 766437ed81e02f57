#!/usr/bin/env bash
# The embedded default's write-ahead log through a long wake storm with lists beside it: the
# harness's `wake-storm` on a fresh Release silo (shipped settings), `embever.db-wal` sampled every
# 5 s; prints the largest size seen and fails when it passed LIMIT_MB (256).
#   bash load/run-wal.sh
# DEVICES (100,000), WINDOW (600 s: the storm's length), LISTS (list pages/s beside it, 20),
# LIMIT_MB and REPORTS override; SILO_DLL and LOAD_DLL run other builds.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${SILO_DLL:-}" ] || dotnet build -c Release -v q Embever.Actors.sln >/dev/null
source load/silo.sh
start_silo sqlite
if [ -n "${LOAD_DLL:-}" ]; then
    load() { dotnet "$LOAD_DLL" "$@" --operator-token "$work/data/operator-token"; }
fi
wal="$work/data/embever.db-wal"
(
    while sleep 5; do
        echo "$(date -u +%T) embever.db-wal $(stat -c %s "$wal" 2>/dev/null || echo 0) bytes" >>"$work/wal.log"
    done
) &
pids+=($!)
load wake-storm --devices "${DEVICES:-100000}" --fraction 1 --window "${WINDOW:-600}" --lists "${LISTS:-20}" --reports "${REPORTS:-load/reports}" || status=$?
largest=$(awk '{ if ($3 > max) max = $3 } END { print max + 0 }' "$work/wal.log")
echo "embever.db-wal: largest $((largest / 1048576)) MB in $(wc -l <"$work/wal.log") samples (every 5 s); at the end $(( $(stat -c %s "$wal" 2>/dev/null || echo 0) / 1048576 )) MB"
[ "$largest" -le $(( ${LIMIT_MB:-256} * 1048576 )) ] || { echo "❌ the log passed ${LIMIT_MB:-256} MB"; status=1; }
exit "${status:-0}"
