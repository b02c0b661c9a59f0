#!/usr/bin/env bash
# make run: migrate, load the demo directory, start the bot and (with node and npm) the Playground.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${IMR_HOST:-127.0.0.1}"
PORT="${IMR_PORT:-3978}"
PLAYGROUND_PORT="${IMR_PLAYGROUND_PORT:-56150}"
BIN=.venv/bin
mkdir -p var

"$BIN/imr-bot" migrate
"$BIN/imr-bot" people import deploy/demo/people.csv --by demo-loader

pids=()
stop() {
  trap - INT TERM EXIT
  # Ctrl-C reached the bot and the Playground too: let the bot finish what it is sending
  # (a second signal would cut its shutdown short), then stop whatever is left
  local tenths=$(( ${1:-0} * 10 ))
  while (( tenths-- > 0 )); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop 0' EXIT
trap 'stop 10; exit 0' INT
trap 'stop 0; exit 0' TERM

# local mode only (no MicrosoftAppId): the Playground serves files people send from this machine
if [[ -z "${MicrosoftAppId:-}" ]] && ! grep -qsE '^MicrosoftAppId=.+' .env; then
  export IMR_ATTACHMENTS_FROM_LOOPBACK="${IMR_ATTACHMENTS_FROM_LOOPBACK:-1}"
fi
"$BIN/imr-bot" serve &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "http://$HOST:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo
echo "  Bot:         http://$HOST:$PORT/api/messages"
echo "  Tab:         http://$HOST:$PORT/tab/board  (the board, a review, the figures, in a browser)"
if [[ "${IMR_PLAYGROUND:-1}" != "0" ]] && command -v node >/dev/null && command -v npm >/dev/null; then
  if [[ ! -x node_modules/.bin/agentsplayground ]]; then
    npm install --no-audit --no-fund --silent
  fi
  mkdir -p var/playground
  "$BIN/imr-bot" playground-config --as "${IMR_PLAYGROUND_AS:-}" \
    --out var/playground/.m365agentsplayground.yml
  (
    cd var/playground
    TEAMSAPPTESTER_BROWSER=none APPLICATION_INSIGHTS_NO_STATSBEAT=true \
      M365_AGENTS_PLAYGROUND_LOGFILE="$PWD/playground.log" \
      exec ../../node_modules/.bin/agentsplayground -e "http://$HOST:$PORT/api/messages" \
        -c msteams --dt -p "$PLAYGROUND_PORT"
  ) >var/playground/stdout.log 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do  # it takes a few seconds; the page refuses connections until then
    curl -fsS "http://127.0.0.1:$PLAYGROUND_PORT/_debug/ping" >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "  Playground:  http://127.0.0.1:$PLAYGROUND_PORT  (a local Teams client; try: imr help)"
  echo "               as ${IMR_PLAYGROUND_AS:-bea.services@demo.council.test}; IMR_PLAYGROUND_AS=<email> to be someone else"
else
  echo "  Playground:  not started (IMR_PLAYGROUND=0, or node/npm missing)"
fi
echo "  Ctrl-C stops everything."
echo
wait -n "${pids[@]}"
