#!/usr/bin/env bash
# The whole test suite, as the README gives it and as CI runs it. It installs what the tests
# need first (PostgreSQL server binaries: the tests start throwaway servers of their own; libcoap's
# coap-client-openssl: the CoAP gateway is tested with a client nobody here wrote; sqlite3: a test
# dumps the database as a backup would),
# then runs every test project, printing each test as it finishes, keeps the results in
# TestResults/, checks the API document the built platform serves (tests/api-document: lint, generated TypeScript client), and ends
# with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
updated=""
install() {
    echo "Installing $2 (Debian package '$1')..."
    [ -n "$updated" ] || { $sudo apt-get update -qq; updated=1; }
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || install postgresql "PostgreSQL server binaries"
command -v coap-client-openssl >/dev/null 2>&1 || install libcoap3-bin "libcoap's CoAP client"
command -v sqlite3 >/dev/null 2>&1 || install sqlite3 "SQLite's shell (a test dumps the database as a backup would)"

# Results stay where dotnet test says they are: TestResults/<time>/ (ignored by git).
results="TestResults/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$results"
set +e
# One line per finished test, so a long run shows its progress.
dotnet test Embever.Actors.sln --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

# The OpenAPI document as the built platform serves it: 0 errors and 0 warnings in Redocly and Spectral, and a generated TypeScript client that type-checks and runs.
bash tests/api-document/check.sh
lint=$?
set -e

total=0 executed=0 passed=0 failed=0
for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    count() { echo "$counters" | sed -E "s/.* $1=\"([0-9]+)\".*/\1/"; }
    total=$((total + $(count total)))
    executed=$((executed + $(count executed)))
    passed=$((passed + $(count passed)))
    failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
done

echo "$passed passed, $failed failed, $((total - executed)) skipped"
[ "$lint" -ne 0 ] && echo "The API document checks failed (above)."
if [ "$status" -ne 0 ] || [ "$lint" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$executed" -eq 0 ]; then
    [ "$executed" -eq 0 ] && echo "No test ran: that is a failure too."
    exit 1
fi
