#!/usr/bin/env bash
# Finds the Temporal CLI, or installs it into .temporal/bin, in the order durabatch itself uses (README.md,
# "Development"): $TEMPORAL_CLI_PATH; `temporal` on PATH; the project cache .temporal/bin/temporal;
# the Temporal SDK's cached download (needs internet); a `go install` of the CLI when Go is installed.
#
# Progress goes to stderr and the CLI's path is the only line on stdout, so a script can do
#   TEMPORAL_CLI_PATH="$(bash scripts/install-temporal.sh)"
# Idempotent: once something works it is reused and nothing is downloaded or built again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.temporal/bin"
go_target="github.com/temporalio/cli/cmd/temporal@v1.5.1" # newest tag whose go.mod has no `replace`
sdk_timeout_s=20
tried=()

say() { printf '%s\n' "$*" >&2; }
runs() { [[ -f "$1" && -x "$1" ]] && "$1" --version >/dev/null 2>&1; }
found() {
  say "Temporal CLI ($2): $1"
  say "  $("$1" --version 2>&1 | head -n 1)"
  printf '%s\n' "$1"
  exit 0
}
try_file() { # path, source name; records why it did not work
  if runs "$1"; then found "$1" "$2"; fi
  if [[ -e "$1" ]]; then tried+=("$2: $1 does not run (\`--version\` failed)"); else tried+=("$2: $1 not there"); fi
}

# 1. TEMPORAL_CLI_PATH
if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then try_file "$TEMPORAL_CLI_PATH" TEMPORAL_CLI_PATH; else
  tried+=("TEMPORAL_CLI_PATH: not set")
fi

# 2. PATH
if on_path="$(command -v temporal 2>/dev/null)"; then try_file "$on_path" PATH; else
  tried+=("PATH: no \`temporal\` on PATH")
fi

# 3. Project cache
try_file "$bin_dir/temporal" "project cache"

# 4. The SDK's cached download: sdk-core keeps it at <temp dir>/temporal-sdk-typescript-<@temporalio/testing version>
if command -v node >/dev/null 2>&1 &&
  sdk_version="$(cd "$root" && node -p "require('@temporalio/testing/package.json').version" 2>/dev/null)"; then
  sdk_path="${TMPDIR:-/tmp}"
  sdk_path="${sdk_path%/}/temporal-sdk-typescript-$sdk_version"
  if runs "$sdk_path"; then found "$sdk_path" "SDK download"; fi
  say "Asking the Temporal SDK to download the CLI (up to $sdk_timeout_s s)…"
  # The SDK downloads only as part of starting a server: start a headless one and stop it again.
  sdk_js="
    const { TestWorkflowEnvironment } = require('@temporalio/testing');
    const timer = setTimeout(() => { console.error('no download within $sdk_timeout_s s'); process.exit(1); }, ${sdk_timeout_s}000);
    TestWorkflowEnvironment.createLocal({ server: { ui: false } })
      .then((env) => env.teardown())
      .then(() => { clearTimeout(timer); process.exit(0); }, (err) => { console.error(err.message); process.exit(1); });"
  if sdk_out="$(cd "$root" && node -e "$sdk_js" 2>&1)" && runs "$sdk_path"; then found "$sdk_path" "SDK download"; fi
  tried+=("SDK download: $sdk_path not cached; download failed: $(printf '%s' "$sdk_out" | tail -n 3)")
else
  tried+=("SDK download: needs node and \`npm ci\` first (@temporalio/testing not installed)")
fi

# 5. go install into the project cache
if command -v go >/dev/null 2>&1; then
  say "Building the Temporal CLI with Go ($go_target) into $bin_dir."
  say "A first build downloads and compiles a few hundred modules and takes a few minutes; later runs reuse it."
  mkdir -p "$bin_dir"
  started=$SECONDS
  if GOBIN="$bin_dir" GOTOOLCHAIN=local go install "$go_target" >&2; then
    say "Built in $((SECONDS - started)) s."
    if runs "$bin_dir/temporal"; then found "$bin_dir/temporal" "go install"; fi
    tried+=("go install: finished but $bin_dir/temporal does not run")
  else
    tried+=("go install: failed (see Go's output above; the CLI needs Go >= 1.25)")
  fi
else
  tried+=("go install: \`go\` is not on PATH")
fi

say ""
say "The Temporal CLI (\`temporal\`) was not found. Tried, in order:"
for line in "${tried[@]}"; do say "  - $line"; done
say "Fix it with any of:"
say "  - set TEMPORAL_CLI_PATH to a \`temporal\` executable;"
say "  - put \`temporal\` on PATH (https://docs.temporal.io/cli#install);"
say "  - give this machine internet access to temporal.download and run this script again;"
say "  - install Go >= 1.25 (https://go.dev/dl/) and run this script again: it builds the CLI into .temporal/bin."
exit 1
