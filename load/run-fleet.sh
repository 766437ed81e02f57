#!/usr/bin/env bash
# The million-device figures of BENCHMARKS.md for one store: the harness's `fleet-1m` scenario on a
# fresh Release silo with the shipped settings (only the grain collection age shortened, so that
# idle grains go within the run). Prints the figures and checks; writes the report to load/reports/.
#   bash load/run-fleet.sh sqlite        # the embedded default
#   bash load/run-fleet.sh postgresql    # one silo on a local PostgreSQL
# DEVICES (1,000,000), ACTIVE (100,000), RATE (list pages/s, 50), DURATION (30 s), IDLE_WAIT (150 s),
# OVERLOAD_RATE (list pages/s offered beside a wake storm; default twice what the silo served; 0 skips), STORM_DEVICES (devices of
# the storms, 20,000; 0 skips), STORM_RATE (their exchanges/s, 300) and REPORTS override; SILO_DLL and LOAD_DLL run other builds
# (a before; BEFORE=1 when that harness predates the storm and overload options).
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: run-fleet.sh sqlite|postgresql}
[ -n "${SILO_DLL:-}" ] || dotnet build -c Release -v q Embever.Actors.sln >/dev/null
source load/silo.sh
start_silo "$store" --Embever:GrainCollectionAge=00:01:00
if [ -n "${LOAD_DLL:-}" ]; then
    load() { dotnet "$LOAD_DLL" "$@" --operator-token "$work/data/operator-token"; }
fi
extra=()
# A harness from before the storm and overload phases (BEFORE=1) takes none of their options.
[ -z "${BEFORE:-}" ] && extra=(${OVERLOAD_RATE:+--overload-rate "$OVERLOAD_RATE"} --storm-devices "${STORM_DEVICES:-20000}" --storm-rate "${STORM_RATE:-300}")
load fleet-1m --devices "${DEVICES:-1000000}" --active "${ACTIVE:-100000}" --rate "${RATE:-50}" \
    --duration "${DURATION:-30}" --idle-wait "${IDLE_WAIT:-150}" --reports "${REPORTS:-load/reports}" "${extra[@]}" || status=$?
[ -f "$work/data/embever.db-wal" ] && echo "embever.db-wal: $(stat -c %s "$work/data/embever.db-wal") bytes beside embever.db: $(stat -c %s "$work/data/embever.db") bytes"
exit "${status:-0}"
