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

work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 2
    [ -f "$work/pg/PG_VERSION" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# The benchmark's devices wake thousands of times more often than real ones: lift their rate limit.
args=(--Embever:DataDirectory="$work/data" --Logging:LogLevel:Default=Warning
      --Embever:Gateway:DeviceBurst=1000000 --Embever:Gateway:DevicePerSecond=1000000)
if [ "$store" = postgresql ]; then
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    mkdir "$work/pg" && chown postgres "$work/pg"
    runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 >/dev/null
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w \
        -o "-p 5499 -k $work/pg -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_connections=200" start >/dev/null
    "$pgbin/psql" -q -h 127.0.0.1 -p 5499 -U postgres -c "CREATE DATABASE embever" >/dev/null
    args+=(--Embever:Storage=PostgreSQL "--Embever:ConnectionString=Host=127.0.0.1;Port=5499;Username=postgres;Database=embever")
fi

dotnet "${SILO_DLL:-src/Silo/bin/Release/net10.0/Embever.Actors.Silo.dll}" "${args[@]}" >"$work/silo.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 90); do curl -sf http://localhost:5000/ready >/dev/null && break; sleep 1; done
curl -sf http://localhost:5000/ready >/dev/null || { cat "$work/silo.log"; exit 1; }

load() { dotnet load/Embever.Actors.Load/bin/Release/net10.0/Embever.Actors.Load.dll "$@" --operator-token "$work/data/operator-token"; }
load baseline --duration 10 >/dev/null   # warm-up: JIT and connection pools, not reported
for run in $(seq 1 "$runs"); do
    load wakeups --devices "$devices" --storm-devices "$storm" --write-credentials "$work/credentials-$run.txt" | grep -E 'health_requests|plain_|event_|storm_|Check|✓|✗|FAIL' || true
    bash load/wrk/run.sh http://localhost:5000 "$work/credentials-$run.txt" | tail -6
done
