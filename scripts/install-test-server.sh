#!/usr/bin/env bash
# Finds Temporal's time-skipping test server (the one `TestWorkflowEnvironment.createTimeSkipping()` runs), or
# installs it into .temporal/test-server, in this order: $TEMPORAL_TEST_SERVER_PATH; the project cache
# .temporal/test-server/temporal-test-server; the Maven artifact io.temporal:temporal-test-server with its runtime
# dependencies (needs java >= 8 and mvn, and Maven Central), run by a small wrapper script. The SDK's own download
# of the server needs temporal.download, which CI cannot reach.
#
# Progress goes to stderr and the server's path is the only line on stdout, so a script can do
#   TEMPORAL_TEST_SERVER_PATH="$(bash scripts/install-test-server.sh)"
# Idempotent: once something works it is reused and nothing is downloaded again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.temporal/test-server"
version="1.38.0" # newest on Maven Central (2026-12); Java 8 bytecode, runs on the Java 17 here
wrapper_mark="written by scripts/install-test-server.sh for io.temporal:temporal-test-server:$version (wrapper 2)"
tried=()

say() { printf '%s\n' "$*" >&2; }
# The server prints its usage (naming --enable-time-skipping) and exits when started without a port.
runs() { [[ -f "$1" && -x "$1" ]] && "$1" </dev/null 2>&1 | grep -q -- '--enable-time-skipping'; }
found() {
  say "Temporal test server ($2): $1"
  printf '%s\n' "$1"
  exit 0
}
try_file() { # path, source name; records why it did not work
  if runs "$1"; then found "$1" "$2"; fi
  if [[ -e "$1" ]]; then tried+=("$2: $1 does not run (no usage text without arguments)"); else
    tried+=("$2: $1 not there")
  fi
}
give_up() {
  say ""
  say "Temporal's test server was not found. Tried, in order:"
  for line in "${tried[@]}"; do say "  - $line"; done
  say "Fix it with any of:"
  say "  - set TEMPORAL_TEST_SERVER_PATH to a temporal-test-server executable;"
  say "  - install a JDK (java >= 8) and Maven (mvn) and run this script again (needs Maven Central);"
  say "  - give this machine internet access: the Temporal SDK then downloads the server itself."
  exit 1
}

# 1. TEMPORAL_TEST_SERVER_PATH
if [[ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]]; then
  try_file "$TEMPORAL_TEST_SERVER_PATH" TEMPORAL_TEST_SERVER_PATH
else
  tried+=("TEMPORAL_TEST_SERVER_PATH: not set")
fi

# 2. Project cache, when this script wrote it for this version (an older wrapper is replaced)
if grep -qs -- "$wrapper_mark" "$cache/temporal-test-server"; then
  try_file "$cache/temporal-test-server" "project cache"
else
  tried+=("project cache: no wrapper for $version in $cache")
fi

# 3. Maven Central: the jar and its runtime dependencies into the project cache, and a wrapper that runs them
if ! command -v java >/dev/null 2>&1; then tried+=("Maven: \`java\` is not on PATH"); fi
if ! command -v mvn >/dev/null 2>&1; then tried+=("Maven: \`mvn\` is not on PATH"); fi
if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then give_up; fi

say "Fetching io.temporal:temporal-test-server:$version and its dependencies with Maven into $cache/lib…"
work="$(mktemp -d -t install-test-server.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <!-- Throwaway pom of scripts/install-test-server.sh: only resolves the test server's runtime classpath. -->
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.durabatch</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$version</version>
    </dependency>
    <dependency>
      <!-- A no-op logging binding: without one, SLF4J warns on stderr each time the server starts. -->
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
EOF
started=$SECONDS
if ! mvn -B -q -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory="$work/lib" </dev/null >"$work/mvn.log" 2>&1; then
  tail -n 20 "$work/mvn.log" >&2
  tried+=("Maven: resolving io.temporal:temporal-test-server:$version failed (see Maven's output above)")
  give_up
fi
say "Fetched $(find "$work/lib" -name '*.jar' | wc -l) jars in $((SECONDS - started)) s."

# sdk-core starts the server as `temporal-test-server <port> [extraArgs…]` (the TypeScript SDK's extraArgs default to
# none) and stops it with SIGKILL on its pid: `exec` keeps java on that pid, so no JVM outlives a test run. The
# arguments pass through unchanged: without --enable-time-skipping the server starts with time skipping locked, and
# the SDK's client unlocks it while it awaits a workflow's result. With the flag, that unlock is one too many and
# time runs away (a workflow sleeping one day fails with "Workflow execution timed out").
cat >"$work/temporal-test-server" <<EOF
#!/usr/bin/env bash
# Temporal's time-skipping test server on the JVM, $wrapper_mark.
# Usage: temporal-test-server <port> [--enable-time-skipping]   (without a port: prints its usage and exits)
EOF
cat >>"$work/temporal-test-server" <<'EOF'
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# A test process that dies without stopping the server (a crashed or killed vitest fork) would leave the JVM behind:
# a watcher stops it once its parent is gone. After `exec`, this shell's pid is the JVM's.
parent=$PPID
self=$$
(
  while kill -0 "$parent" 2>/dev/null && kill -0 "$self" 2>/dev/null; do sleep 1; done
  if grep -qs io.temporal.testserver.TestServer "/proc/$self/cmdline"; then kill -9 "$self"; fi
) </dev/null >/dev/null 2>&1 &
# C1 only and the serial collector: the server answers in ~0.75 s instead of ~1.2 s, and tests need no more.
exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"
EOF
chmod +x "$work/temporal-test-server"
mkdir -p "$cache"
rm -rf "$cache/lib" "$cache/temporal-test-server"
mv "$work/lib" "$cache/lib"
mv "$work/temporal-test-server" "$cache/temporal-test-server"
try_file "$cache/temporal-test-server" "Maven"
give_up
