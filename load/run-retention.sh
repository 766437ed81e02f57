#!/usr/bin/env bash
# The retention sweep of BENCHMARKS.md for one store: the harness's `retention-sweep` scenario on a
# fresh Release silo with the shipped settings but a retention minimum and sweep interval of a
# second (so that the scenario may expire its events at once). Prints the figures and checks;
# writes the report to load/reports/.
#   bash load/run-retention.sh sqlite        # the embedded default
#   bash load/run-retention.sh postgresql    # one silo on a local PostgreSQL
#   bash load/run-retention.sh sqlite --Embever:Retention:Batch=100   # further silo settings
# EVENTS (10,000,000), PER_EXCHANGE (1,000), DURATION (s of the storm beside the sweep, 120), STORM_DEVICES (20,000), STORM_RATE (300) and REPORTS
# override; SILO_DLL and LOAD_DLL run other builds.
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: run-retention.sh sqlite|postgresql [silo settings...]}
shift
[ -n "${SILO_DLL:-}" ] || dotnet build -c Release -v q Embever.Actors.sln >/dev/null
source load/silo.sh
start_silo "$store" --Embever:Retention:Minimum=00:00:01 --Embever:Retention:SweepInterval=00:00:01 "$@"
if [ -n "${LOAD_DLL:-}" ]; then
    load() { dotnet "$LOAD_DLL" "$@" --operator-token "$work/data/operator-token"; }
fi
load retention-sweep --events "${EVENTS:-10000000}" --per-exchange "${PER_EXCHANGE:-1000}" --duration "${DURATION:-120}" \
    --storm-devices "${STORM_DEVICES:-20000}" --storm-rate "${STORM_RATE:-300}" --reports "${REPORTS:-load/reports}"
