# Sourced by ./meshwork, ./mvnw and .ci/run: selects a JDK >= 21 and exports JAVA_HOME.
# JAVA_HOME wins when it is new enough; otherwise the newest JDK the system has installed.

meshwork_jdk_major() { # prints the feature version of the JDK at $1, or nothing
  local home=$1 v=
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  [ "$v" = 1 ] && v=8
  echo "$v"
}

meshwork_select_jdk() {
  local min=21 best= best_v=0 home v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(meshwork_jdk_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  local candidates=()
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
              /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] && candidates+=("$home")
  done
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/javac" ] || continue
    v=$(meshwork_jdk_major "$home")
    if [ -n "$v" ] && [ "$v" -ge "$min" ] && [ "$v" -gt "$best_v" ]; then
      best=$home
      best_v=$v
    fi
  done
  if [ -z "$best" ]; then
    echo "meshwork: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH and /usr/lib/jvm); install one and set JAVA_HOME" >&2
    return 1
  fi
  export JAVA_HOME=$best
}
