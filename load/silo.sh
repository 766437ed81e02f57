# Sourced by the load/run-*.sh scripts: starts a fresh Release silo of the given store in a
# temporary directory, waits until it is ready, and stops it (and its PostgreSQL) on exit.
#   start_silo sqlite|postgresql [extra silo arguments...]
# Sets $work (the temporary directory; the operator token is $work/data/operator-token).
# SILO_DLL runs another build of the silo (the before of a before/after).
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

start_silo() {
    local store=$1
    shift
    # The benchmark's devices wake thousands of times more often than real ones: lift their rate limit.
    local args=(--Embever:DataDirectory="$work/data" --Logging:LogLevel:Default=Warning
          --Embever:Gateway:DeviceBurst=1000000 --Embever:Gateway:DevicePerSecond=1000000 "$@")
    if [ "$store" = postgresql ]; then
        pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
        mkdir "$work/pg" && chown postgres "$work/pg"
        runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 >/dev/null
        runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w \
            -o "-p 5499 -k $work/pg -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_connections=200" start >/dev/null
        "$pgbin/psql" -q -h 127.0.0.1 -p 5499 -U postgres -c "CREATE DATABASE embever" >/dev/null
        args+=(--Embever:Storage=PostgreSQL "--Embever:ConnectionString=Host=127.0.0.1;Port=5499;Username=postgres;Database=embever")
    fi

    silo_args=("${args[@]}")
    run_silo
}

run_silo() {
    dotnet "${SILO_DLL:-src/Silo/bin/Release/net10.0/Embever.Actors.Silo.dll}" "${silo_args[@]}" >>"$work/silo.log" 2>&1 &
    silo_pid=$!
    pids+=($silo_pid)
    for _ in $(seq 1 90); do curl -sf http://localhost:5000/ready >/dev/null && break; sleep 1; done
    curl -sf http://localhost:5000/ready >/dev/null || { cat "$work/silo.log"; exit 1; }
}

# Stops the silo (SIGTERM, or SIGKILL with "kill") and starts it again on the same store and data.
restart_silo() {
    kill "-${1:-TERM}" "$silo_pid" 2>/dev/null || true
    while kill -0 "$silo_pid" 2>/dev/null; do sleep 0.2; done
    run_silo
}

load() { dotnet load/Embever.Actors.Load/bin/Release/net10.0/Embever.Actors.Load.dll "$@" --operator-token "$work/data/operator-token"; }
