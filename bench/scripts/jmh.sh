#!/usr/bin/env bash
# Runs the JMH micro-benchmarks of io.meshwork.bench.jmh (builds the bench module first if needed).
# Arguments go to JMH, e.g.:  bench/scripts/jmh.sh Http1RoundTrip -p headers=12 -f 1 -wi 2 -i 3
# MESHWORK_BUILD_DIR (default target) selects the build directory; JAVA_HOME a JDK >= 21.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${MESHWORK_BUILD_DIR:-target}

JAVA=""
for j in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
  [ -n "$j" ] && [ -x "$j" ] || continue
  v=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  if [ -n "$v" ] && [ "$v" -ge 21 ]; then JAVA=$j; break; fi
done
[ -n "$JAVA" ] || { echo "error: no JDK 21 or newer found (expected: JAVA_HOME or /usr/lib/jvm/* with Java >= 21)" >&2; exit 1; }
export JAVA_HOME=$(dirname "$(dirname "$JAVA")")

JAR=$(ls "$ROOT"/bench/"$BUILD_DIR"/meshwork-bench-*.jar 2>/dev/null | head -1 || true)
if [ -z "$JAR" ] || [ ! -d "$ROOT/bench/$BUILD_DIR/lib" ] \
    || [ -n "$(find "$ROOT/bench/src/main" "$ROOT/bench/pom.xml" -newer "$JAR" -print -quit)" ]; then
  (cd "$ROOT" && ./mvnw -q -B -DskipTests -Dmeshwork.buildDir="$BUILD_DIR" -pl bench -am package)
  JAR=$(ls "$ROOT"/bench/"$BUILD_DIR"/meshwork-bench-*.jar | head -1)
fi
[ $# -gt 0 ] || set -- 'io\.meshwork\.bench\.jmh\..*'
exec "$JAVA" -cp "$JAR:$ROOT/bench/$BUILD_DIR/lib/*" org.openjdk.jmh.Main "$@"
