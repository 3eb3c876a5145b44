#!/usr/bin/env bash
# Finds the Versity S3 Gateway (`versitygw`, the S3-compatible server the storage tests run against), or builds it
# into .temporal/bin, in this order: $VERSITYGW_PATH; `versitygw` on PATH; the project cache
# .temporal/bin/versitygw; a `go install` of the gateway when Go is installed.
#
# Progress goes to stderr and the gateway's path is the only line on stdout, so a script can do
#   VERSITYGW_PATH="$(bash scripts/install-versitygw.sh)"
# Idempotent: once something works it is reused and nothing is built again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.temporal/bin"
go_target="github.com/versity/versitygw/cmd/versitygw@v1.8.0"
tried=()

say() { printf '%s\n' "$*" >&2; }
runs() { [[ -f "$1" && -x "$1" ]] && "$1" --version >/dev/null 2>&1; }
version_of() { # a `go install` build says "Version : git"; Go's build info then names the module version
  local mod=""
  if command -v go >/dev/null 2>&1; then mod="$(go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $2, $3 }')"; fi
  if [[ -n "$mod" ]]; then printf '%s\n' "$mod"; else "$1" --version 2>&1 | head -n 1; fi
}
found() {
  say "Versity S3 Gateway ($2): $1"
  say "  $(version_of "$1")"
  printf '%s\n' "$1"
  exit 0
}
try_file() { # path, source name; records why it did not work
  if runs "$1"; then found "$1" "$2"; fi
  if [[ -e "$1" ]]; then tried+=("$2: $1 does not run (\`--version\` failed)"); else tried+=("$2: $1 not there"); fi
}

# 1. VERSITYGW_PATH
if [[ -n "${VERSITYGW_PATH:-}" ]]; then try_file "$VERSITYGW_PATH" VERSITYGW_PATH; else
  tried+=("VERSITYGW_PATH: not set")
fi

# 2. PATH
if on_path="$(command -v versitygw 2>/dev/null)"; then try_file "$on_path" PATH; else
  tried+=("PATH: no \`versitygw\` on PATH")
fi

# 3. Project cache
try_file "$bin_dir/versitygw" "project cache"

# 4. go install into the project cache
if command -v go >/dev/null 2>&1; then
  say "Building the Versity S3 Gateway with Go ($go_target) into $bin_dir."
  say "A first build downloads and compiles a few hundred modules and takes 1.5 to 3 minutes; later runs reuse it."
  mkdir -p "$bin_dir"
  started=$SECONDS
  if GOBIN="$bin_dir" GOTOOLCHAIN=local go install "$go_target" >&2; then
    say "Built in $((SECONDS - started)) s."
    if runs "$bin_dir/versitygw"; then found "$bin_dir/versitygw" "go install"; fi
    tried+=("go install: finished but $bin_dir/versitygw does not run")
  else
    tried+=("go install: failed (see Go's output above; versitygw v1.8.0 needs Go >= 1.25)")
  fi
else
  tried+=("go install: \`go\` is not on PATH")
fi

say ""
say "The Versity S3 Gateway (\`versitygw\`) was not found. Tried, in order:"
for line in "${tried[@]}"; do say "  - $line"; done
say "Fix it with any of:"
say "  - set VERSITYGW_PATH to a \`versitygw\` executable;"
say "  - put \`versitygw\` on PATH (https://github.com/versity/versitygw/releases);"
say "  - install Go >= 1.25 (https://go.dev/dl/) with access to the Go module proxy and run this script again:"
say "    it builds the gateway into .temporal/bin."
exit 1
