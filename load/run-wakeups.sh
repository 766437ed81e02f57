#!/usr/bin/env bash
# The wakeup figures of BENCHMARKS.md for one store, three times each: the harness's `wakeups`
# scenario (plain wakeup, one event, saturating storm, storm at half rate, one baseline) and
# wrk's second opinion (GET /health, plain, one event), on a fresh Release silo.
#   bash load/run-wakeups.sh sqlite        # the embedded default
#   bash load/run-wakeups.sh postgresql    # one silo on a local PostgreSQL (durable settings: fsync and synchronous_commit on)
# Reports go to load/reports/; RUNS (3), DEVICES (2000), STORM_DEVICES (20000) override; SILO_DLL
# runs another build of the silo (the before of a before/after, e.g. an older release's Release build).
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: run-wakeups.sh sqlite|postgresql}
runs=${RUNS:-3} devices=${DEVICES:-2000} storm=${STORM_DEVICES:-20000}
dotnet build -c Release -v q Embever.Actors.sln >/dev/null
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

source load/silo.sh
start_silo "$store"

load baseline --duration 10 >/dev/null   # warm-up: JIT and connection pools, not reported
for run in $(seq 1 "$runs"); do
    load wakeups --devices "$devices" --storm-devices "$storm" --write-credentials "$work/credentials-$run.txt" | grep -E 'health_requests|plain_|event_|storm_|Check|✓|✗|FAIL' || true
    bash load/wrk/run.sh http://localhost:5000 "$work/credentials-$run.txt" | tail -6
done
