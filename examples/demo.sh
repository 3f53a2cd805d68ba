#!/usr/bin/env bash
# The quick start: the sample policy in policies/ against the bundled Admin API emulator.
#
#   validate → plan (saved) → apply the saved plan → plan again (no changes) → drift (in sync)
#
# The emulator serves examples/seeds/console.yaml on a free loopback port with its state in
# a temporary directory, so every run starts from the same organization.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "claude-policy $(claude-policy --version | awk '{print $NF}'): starting the Admin API emulator"
claude-policy emulator --seed examples/seeds/console.yaml --state "$work/state.json" \
  --port 0 >"$work/stdout" 2>"$work/emulator.log" &
emulator_pid=$!
# The emulator's first stdout line is its base URL.
url=""
for _ in $(seq 1 200); do
  url=$(head -n 1 "$work/stdout" 2>/dev/null || true)
  case "$url" in http://*) break ;; esac
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.05
done
case "$url" in http://*) ;; *) echo "the emulator did not start" >&2; exit 1 ;; esac
echo "emulator at $url (Acme Health, a Claude Console organization)"

export ANTHROPIC_BASE_URL="$url"
export ANTHROPIC_ADMIN_API_KEY="sk-ant-admin01-demo-console-key"

step "claude-policy validate policies/"
claude-policy validate policies/

step "claude-policy plan policies/ --out plan.json"
claude-policy plan policies/ --out "$work/plan.json"

step "claude-policy apply plan.json"
claude-policy apply "$work/plan.json"

step "claude-policy plan policies/ --detailed-exitcode   (expect: no changes, exit 0)"
claude-policy plan policies/ --detailed-exitcode

step "claude-policy drift policies/   (expect: in sync, exit 0)"
claude-policy drift policies/

step "Demo complete: the organization now matches policies/."
