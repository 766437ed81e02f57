#!/usr/bin/env bash
# The webhook figures of BENCHMARKS.md for one store, three times: the harness's `webhooks`
# scenario (a saturating rate, half of it, and a fan-out), each run on a fresh Release silo.
#   bash load/run-webhooks.sh sqlite        # the embedded default
#   bash load/run-webhooks.sh postgresql    # one silo on a local PostgreSQL
# Reports go to load/reports/; RUNS (3), DEVICES (400), DURATION (15 s), RATE (offered events/s
# of the saturating phase, 4000) and REPORTS (where reports go) override; SILO_DLL runs another
# build of the silo (a before).
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?usage: run-webhooks.sh sqlite|postgresql}
runs=${RUNS:-3} devices=${DEVICES:-400} duration=${DURATION:-15} rate=${RATE:-4000}
dotnet build -c Release -v q Embever.Actors.sln >/dev/null

for run in $(seq 1 "$runs"); do
    (
        source load/silo.sh
        # The receiver is in the harness, on loopback: allowed in cluster mode (PostgreSQL) too.
        start_silo "$store" --Embever:Webhooks:AllowLoopback=true
        load baseline --duration 5 >/dev/null   # warm-up: JIT and connection pools, not reported
        load webhooks --devices "$devices" --rate "$rate" --duration "$duration" --reports "${REPORTS:-load/reports}" | grep -E 'saturating|half|fan_out|check|report:' || true
    )
done
