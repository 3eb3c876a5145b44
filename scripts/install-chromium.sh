#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the Web UI test (test/integration/ui.test.ts), which drives it
# headless through playwright-core. Does nothing when it is already there; otherwise installs the `chromium`
# package (and fonts-liberation, so screenshots have readable text) with apt-get, quietly.
#
# $CHROMIUM_PATH names another browser binary (the test reads the same variable); default /usr/bin/chromium.
# Progress goes to stderr and the browser's path is the only line on stdout. Needs root (or sudo) and apt-get.
set -euo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

say() { printf '%s\n' "$*" >&2; }
fail() {
  say "install-chromium: $*"
  exit 1
}
done_with() {
  say "Chromium: $chromium ($("$chromium" --version 2>/dev/null | head -n 1))"
  printf '%s\n' "$chromium"
  exit 0
}

if [[ -x "$chromium" ]]; then done_with; fi
if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file; unset it to install Debian's chromium instead."
fi
command -v apt-get >/dev/null 2>&1 ||
  fail "no $chromium and no apt-get to install it; install Chromium and set CHROMIUM_PATH to its binary."

as_root=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null ||
    fail "installing chromium needs root: run \`sudo apt-get install chromium\`, or this script as root."
  as_root=(sudo -n)
fi

log="$(mktemp -t install-chromium.XXXXXX.log)"
say "Installing Debian's chromium with apt-get (log: $log)…"
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update -qq >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get update failed (see above); check the network and /etc/apt/sources.list."
fi
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-liberation >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get install chromium failed (see above)."
fi
[[ -x "$chromium" ]] || fail "apt-get installed chromium, but $chromium is still missing."
rm -f "$log"
done_with
