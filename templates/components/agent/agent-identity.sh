#!/bin/sh
# agent-identity.sh: runs the certctl agent under an ID the server issued.
#
# certctl assigns every agent ID itself (POST /api/v1/agents) and answers 404 to heartbeats and
# work polls for any other ID. This script is the agent container's command; at every container
# start it
#   1. looks the agent up by name (CERTCTL_AGENT_NAME; certctl keeps agent names unique),
#   2. registers it only when no agent of that name exists,
#   3. refuses to start an agent the server retired (it would get 410 Gone and exit, forever),
#   4. runs the agent with CERTCTL_AGENT_ID set to the issued ID.
# So restarts, upgrades and new pods on the same node find the same agent instead of adding one.
#
# Settings come from identity.conf beside this script (rendered from the chart's values:
# name_prefix, bootstrap_token_file, attempts, retry_seconds, agent_binary; AGENT_IDENTITY_CONFIG
# names another file) and the agent's own environment: CERTCTL_SERVER_URL, CERTCTL_API_KEY,
# CERTCTL_AGENT_NAME (the name after name_prefix), CERTCTL_SERVER_CA_BUNDLE_PATH (the CA that
# verifies the server; else the image's trusted roots) and CERTCTL_AGENT_ID (an agent an operator
# registered: verified, never registered).
# Credentials never reach a command line or the log: curl reads its Authorization header from stdin.
set -eu

. "${AGENT_IDENTITY_CONFIG:-$(dirname "$0")/identity.conf}"
api="${CERTCTL_SERVER_URL%/}/api/v1"
name="$name_prefix$CERTCTL_AGENT_NAME"
preset_id="${CERTCTL_AGENT_ID:-}"
page_size=500 # the largest page certctl serves
body="$(mktemp)"
errors="$(mktemp)"
trap 'rm -f "$body" "$errors"' EXIT
# The shell is the container's PID 1 until it execs the agent, and PID 1 ignores signals it has
# no handler for: without this, deleting a pod that waits for the server takes the grace period.
trap 'exit 143' TERM INT

log() { echo "agent-identity: $*" >&2; }
fail() {
  log "$*"
  exit 1
}

case "$name" in
"" | *[!A-Za-z0-9._-]*) fail "agent name '$name' must be letters, digits, '.', '_' or '-'" ;;
esac
[ "${#name}" -le 128 ] || fail "agent name '$name' is longer than the 128 characters certctl accepts"

bootstrap_token=""
if [ -n "$bootstrap_token_file" ]; then
  bootstrap_token="$(cat "$bootstrap_token_file")" || fail "cannot read the bootstrap token file $bootstrap_token_file"
fi

# call METHOD PATH [JSON]: one request, presenting $bearer. Sets $status (000 when no HTTP answer
# came: connection or TLS failure, curl's message in $errors) and leaves the answer in $body.
call() {
  set -- "$1" "$api$2" "${3:-}"
  if [ -n "$3" ]; then
    set -- "$1" "$2" --header "Content-Type: application/json" --data "$3"
  else
    set -- "$1" "$2"
  fi
  if [ -n "${CERTCTL_SERVER_CA_BUNDLE_PATH:-}" ]; then
    set -- "$@" --cacert "$CERTCTL_SERVER_CA_BUNDLE_PATH"
  fi
  status="$(printf 'Authorization: Bearer %s\n' "$bearer" |
    curl --silent --show-error --connect-timeout 5 --max-time 20 --header @- \
      --output "$body" --write-out '%{http_code}' --request "$@" 2>"$errors")" || true
  [ -n "$status" ] || status=000
}

# transient WHAT: returns 0 when $status means "try again later" (no answer, 429, 5xx); stops the
# script on any other status, which retrying would not change.
transient() {
  case "$status" in
  000) log "$1: no answer from $api: $(cat "$errors")" ;;
  429 | 5??) log "$1: HTTP $status, will retry" ;;
  401 | 403) fail "$1: HTTP $status: the server refused the agent API key (agent.apiKey or agent.existingSecret must be one of the server's API keys)" ;;
  *) fail "$1: unexpected HTTP $status: $(cat "$body")" ;;
  esac
}

# find_agent LIST: sets $found_id to the ID of the agent named $name in the paged certctl list at
# LIST (/agents or /agents/retired), or to "" when there is none. Returns 1 to retry later.
# certctl encodes an agent with "id" then "name" first (domain.Agent's field order).
find_agent() {
  found_id=""
  page=1
  while :; do
    call GET "$1?page=$page&per_page=$page_size"
    # certctl before v2.0.46 retires no agents: /agents/retired reaches GET /agents/{id}, a 404
    if [ "$status" = 404 ] && [ "$1" = /agents/retired ]; then return 0; fi
    [ "$status" = 200 ] || {
      transient "GET /api/v1$1"
      return 1
    }
    found_id="$(grep -o '"id":"[^"]*","name":"[^"]*"' "$body" | grep -F "\"name\":\"$name\"" |
      sed 's/^"id":"\([^"]*\)".*/\1/' | head -n 1)" || true
    total="$(sed -n 's/.*"total":\([0-9][0-9]*\).*/\1/p' "$body")"
    if [ -n "$found_id" ] || [ $((page * page_size)) -ge "${total:-0}" ]; then
      return 0
    fi
    page=$((page + 1))
  done
}

stop_retired() {
  fail "agent $name ($1) is retired on the server, so it is not started again (certctl never reuses a retired agent's name). To keep agents off this node, exclude it with agent.nodeSelector or agent.affinity; to run a new agent here, give it another name (agent.name)."
}

# register: POST /api/v1/agents, presenting the bootstrap token when there is one. Sets $agent_id;
# returns 1 to retry later (a 409 means a concurrent start registered the name first).
register() {
  bearer="${bootstrap_token:-$CERTCTL_API_KEY}"
  call POST /agents "{\"name\":\"$name\",\"hostname\":\"$(uname -n)\"}"
  bearer="$CERTCTL_API_KEY"
  case "$status" in
  201)
    agent_id="$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' "$body")"
    [ -n "$agent_id" ] || fail "POST /api/v1/agents: no agent ID in the answer: $(cat "$body")"
    log "registered agent $name as $agent_id"
    ;;
  409)
    log "agent $name was registered meanwhile; looking it up again"
    return 1
    ;;
  401)
    if [ -n "$bootstrap_token" ]; then
      fail "POST /api/v1/agents: HTTP 401: the server refused the bootstrap token; it must equal the server's CERTCTL_AGENT_BOOTSTRAP_TOKEN and, in api-key mode, also be one of the server's API keys (certctl checks both on the same header)"
    fi
    fail "POST /api/v1/agents: HTTP 401: the server requires an agent bootstrap token (set agent.bootstrapToken.existingSecret) or refused the agent API key"
    ;;
  *)
    transient "POST /api/v1/agents"
    return 1
    ;;
  esac
}

# resolve: sets $agent_id to this agent's issued ID; returns 1 to retry later.
resolve() {
  if [ -n "$preset_id" ]; then
    call GET "/agents/$preset_id"
    case "$status" in
    200)
      if grep -q '"retired_at":"' "$body"; then stop_retired "$preset_id"; fi
      agent_id="$preset_id"
      log "using registered agent $agent_id"
      return 0
      ;;
    404) fail "agent ID $preset_id (agent.id) is not registered on the server: register it (POST /api/v1/agents) or leave agent.id empty so that the agent registers itself" ;;
    *)
      transient "GET /api/v1/agents/$preset_id"
      return 1
      ;;
    esac
  fi
  find_agent /agents || return 1
  if [ -n "$found_id" ]; then
    agent_id="$found_id"
    log "found agent $name: $agent_id"
    return 0
  fi
  find_agent /agents/retired || return 1
  if [ -n "$found_id" ]; then stop_retired "$found_id"; fi
  register
}

bearer="$CERTCTL_API_KEY"
attempt=1
until resolve; do
  [ "$attempt" -lt "$attempts" ] || fail "gave up after $attempts attempts; the agent does not start without an ID the server issued"
  attempt=$((attempt + 1))
  sleep "$retry_seconds"
done

rm -f "$body" "$errors"
export CERTCTL_AGENT_NAME="$name" CERTCTL_AGENT_ID="$agent_id"
exec "$agent_binary"
