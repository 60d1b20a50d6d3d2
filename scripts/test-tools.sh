#!/usr/bin/env bash
# Install the system tools the test suite runs for real, when they are missing:
#   promtool (Debian prometheus)  alert rules under the real rule engine
#   initdb, pg_ctl, pg_dump       a throwaway PostgreSQL for backup and seed tests
#   chromium                      the HTML report in a real browser
#   node                          the k6 scripts' syntax
#   curl                          the helm test pod's command
# Needs root (apt-get) only when something is missing; otherwise it changes nothing.
set -euo pipefail

postgres_bin() {
  # Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin.
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

missing=()
command -v promtool >/dev/null || missing+=(prometheus)
postgres_bin >/dev/null && command -v pg_dump >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v curl >/dev/null || missing+=(curl)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test-tools: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run this script as root" >&2
  exit 2
fi
echo "test-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packages' services are not wanted: tests start what they need and stop it.
for service in prometheus postgresql; do
  command -v service >/dev/null && service "$service" stop >/dev/null 2>&1 || true
done
