#!/usr/bin/env bash
# A Meshwork mesh across three hosts, made of Linux network namespaces on this machine.
#
#   sudo scripts/netns-mesh.sh          # after ./mvnw -DskipTests package (or ./meshwork --help)
#   sudo scripts/netns-mesh.sh --check  # only says whether this machine can run it (exit 0, or 77)
#
# Hosts: "cp" runs the control plane (10.213.0.1); "h1" (10.213.0.2) and "h2" (10.213.0.3) each run an
# instance of service-a with `meshwork run`, with a join token and a copy of ca.pem of their own.
# Requests are sent as h1's app sends them, through its sidecar's HTTP proxy port. Each namespace has
# one veth link to a bridge that lives in a fourth namespace of its own, so the test network touches
# nothing of this machine's: no address, route or interface is added outside the namespaces made
# here, and they have no route beyond 10.213.0.0/24. Names carry this script's PID; everything is
# removed on exit, on failure too (and namespaces left by a run that was killed are removed at start).
#
# Checks, each printed as "ok: ..." or "FAIL: ...":
#   1. every instance registers the address of its host's interface towards the control plane
#      (--advertise-address is left to its default);
#   2. from h1, service-a is reached on both hosts;
#   3. with PeerAuthentication STRICT, a plaintext request from another host to an inbound port is refused,
#      and so is TLS without a mesh certificate;
#   4. nothing listens on a non-loopback address but the inbound ports and the control plane's API;
#   5. h2's `meshwork run` killed with SIGKILL: requests from h1 keep succeeding on h1, and h2's app died
#      with its runner (no process is left in h2).
#
# Environment: JAVA (default: $JAVA_HOME/bin/java, a JDK >= 21), MESHWORK_CLASSPATH (default: the cli
# jar and its lib/), MESHWORK_NETNS_LOGS (a folder to keep the logs in; default: a temporary one, shown
# on failure). Exit codes: 0 every check passed, 1 a check failed, 77 this machine cannot run it.
set -uo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
SUBNET=10.213.0
CP_PORT=15010
INBOUND_PORT=15006

cannot() { echo "netns-mesh: cannot run here: $*" >&2; exit 77; }

ensure_tools() {
  [ "$(id -u)" = 0 ] || cannot "needs root (it creates network namespaces); run it with sudo"
  local missing=()
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "netns-mesh: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1; }
  fi
  for tool in ip ss curl setpriv; do
    command -v "$tool" >/dev/null 2>&1 || cannot "$tool is missing and could not be installed"
  done
  local probe="mwprobe-$$"
  ip netns add "$probe" 2>/dev/null || cannot "'ip netns add' is not permitted (a container without CAP_SYS_ADMIN?)"
  ip -n "$probe" link add mwp0 type veth peer name mwp1 2>/dev/null \
    || { ip netns del "$probe"; cannot "veth links cannot be created"; }
  ip -n "$probe" link add mwbr type bridge 2>/dev/null \
    || { ip netns del "$probe"; cannot "bridges cannot be created"; }
  ip netns del "$probe"
}

ensure_tools
[ "${1:-}" = "--check" ] && { echo "netns-mesh: this machine can run it"; exit 0; }

# Namespaces of earlier runs whose script is gone (killed before its clean-up ran).
for ns in $(ip netns list | awk '{print $1}' | grep -E '^mw[0-9]+-(net|cp|h1|h2)$'); do
  owner=${ns#mw}; owner=${owner%%-*}
  if ! kill -0 "$owner" 2>/dev/null; then
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  fi
done

if [ -z "${JAVA:-}" ]; then
  . "$root/scripts/find-jdk.sh"
  meshwork_select_jdk || cannot "no JDK >= 21"
  JAVA="$JAVA_HOME/bin/java"
fi
CLASSPATH_CLI=${MESHWORK_CLASSPATH:-$root/cli/target/meshwork-cli.jar:$root/cli/target/lib/*}
if [ -z "${MESHWORK_CLASSPATH:-}" ] && [ ! -f "$root/cli/target/meshwork-cli.jar" ]; then
  echo "netns-mesh: build the command line first: ./mvnw -q -DskipTests package" >&2
  exit 1
fi
JVM=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xmx192m)

run_id="mw$$"
NET="$run_id-net" CP="$run_id-cp" H1="$run_id-h1" H2="$run_id-h2"
work=$(mktemp -d /tmp/meshwork-netns.XXXXXX)
logs=${MESHWORK_NETNS_LOGS:-$work/logs}
mkdir -p "$logs"
data="$work/control-plane"
failures=0
passed=0

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  for ns in "$H1" "$H2" "$CP"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -TERM 2>/dev/null
  done
  sleep 1
  for ns in "$H1" "$H2" "$CP" "$NET"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  if [ "$code" != 0 ] && [ -z "${MESHWORK_NETNS_LOGS:-}" ]; then
    for f in "$logs"/*.log; do
      [ -f "$f" ] || continue
      echo "--- $(basename "$f") (last lines) ---"; tail -n 25 "$f"
    done
  fi
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok: $* [${SECONDS}s]"; passed=$((passed + 1)); }
fail() { echo "FAIL: $* [${SECONDS}s]"; failures=$((failures + 1)); }
step() { echo "netns-mesh: $* [${SECONDS}s]" >&2; }

# --- the network: one bridge, three hosts ---------------------------------------------------------
ip netns add "$NET"
ip -n "$NET" link add br0 type bridge
ip -n "$NET" link set br0 up
n=1
for ns in "$CP" "$H1" "$H2"; do
  ip netns add "$ns"
  ip -n "$NET" link add "port$n" type veth peer name eth0 netns "$ns"
  ip -n "$NET" link set "port$n" master br0 up
  ip -n "$ns" addr add "$SUBNET.$n/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  n=$((n + 1))
done
CP_URL="https://$SUBNET.1:$CP_PORT"
step "hosts cp ($SUBNET.1), h1 ($SUBNET.2) and h2 ($SUBNET.3) are linked (namespaces $run_id-*)"

# Starts `java ... ARGS` in namespace $1, logging to $2.log, tied to this script: it dies if the script is
# killed (setpriv --pdeathsig; ip netns exec replaces itself with java, so its PID, left in $started, is the
# JVM's). Never call it in a subshell ($(...)): the JVM would die with the subshell.
start_in() {
  local ns=$1 log=$2; shift 2
  setpriv --pdeathsig KILL -- ip netns exec "$ns" "$JAVA" "${JVM[@]}" -cp "$CLASSPATH_CLI" "$@" \
    >"$logs/$log.log" 2>&1 </dev/null &
  started=$!
}

meshwork_in() { local ns=$1 log=$2; shift 2; start_in "$ns" "$log" io.meshwork.cli.Main "$@"; }

await() { # await SECONDS WHAT COMMAND...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "netns-mesh: timed out after ${seconds}s waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}

api() { # api NS PATH: GET on the control plane's API with the admin token
  ip netns exec "$1" curl -sS --max-time 5 --cacert "$data/ca.pem" \
    -H "Authorization: Bearer $(cat "$data/admin-token")" "$CP_URL$2"
}

# --- the control plane on cp ----------------------------------------------------------------------
meshwork_in "$CP" control-plane control-plane --data-dir "$data" --listen "$SUBNET.1:$CP_PORT"
await 120 "the control plane" api "$CP" /healthz || exit 1
step "the control plane answers at $CP_URL"

# The mesh's policy, PUT on the API as any Kubernetes-style client does ('meshwork apply -f' sends the same
# objects; curl spares a JVM start on a busy machine).
put() { # put PATH JSON
  local attempt code
  for attempt in 1 2 3 4 5; do
    code=$(ip netns exec "$CP" curl -sS --max-time 20 --cacert "$data/ca.pem" -o "$work/put.out" -w '%{http_code}' \
      -X PUT -H "Authorization: Bearer $(cat "$data/admin-token")" -H 'Content-Type: application/json' \
      -d "$2" "$CP_URL$1" 2>/dev/null)
    case "$code" in 200|201) return 0 ;; 000) sleep "$attempt" ;; *) break ;; esac
  done
  echo "netns-mesh: PUT $1 answered $code: $(cat "$work/put.out" 2>/dev/null)" >&2
  return 1
}
put /apis/security.istio.io/v1beta1/namespaces/default/peerauthentications/default \
  '{"apiVersion":"security.istio.io/v1beta1","kind":"PeerAuthentication","metadata":{"name":"default","namespace":"default"},"spec":{"mtls":{"mode":"STRICT"}}}' \
  && put /apis/networking.istio.io/v1beta1/namespaces/default/destinationrules/service-a \
  '{"apiVersion":"networking.istio.io/v1beta1","kind":"DestinationRule","metadata":{"name":"service-a","namespace":"default"},"spec":{"host":"service-a","trafficPolicy":{"loadBalancer":{"simple":"ROUND_ROBIN"}}}}' \
  && put /apis/networking.istio.io/v1beta1/namespaces/default/virtualservices/service-a \
  '{"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService","metadata":{"name":"service-a","namespace":"default"},"spec":{"hosts":["service-a"],"http":[{"route":[{"destination":{"host":"service-a"}}],"retries":{"attempts":3,"perTryTimeout":"2s","retryOn":"connect-failure,refused-stream,reset,5xx"}}]}}' \
  || { fail "applying the PeerAuthentication (STRICT), DestinationRule and VirtualService"; exit 1; }
ok "PeerAuthentication default/default (mtls STRICT), DestinationRule and VirtualService service-a applied"

# As on real machines, h1 and h2 cannot read the control plane's data dir: the admin on cp mints a join
# token per service ('meshwork token create' does the same), and each host gets a copy of ca.pem.
mint() { # mint SERVICE: prints a join token
  local answer attempt
  for attempt in 1 2 3 4 5; do
    answer=$(ip netns exec "$CP" curl -sS --max-time 20 --cacert "$data/ca.pem" \
      -H "Authorization: Bearer $(cat "$data/admin-token")" -H 'Content-Type: application/json' \
      -d "{\"service\":\"$1\",\"namespace\":\"default\"}" "$CP_URL/apis/meshwork.io/v1alpha1/tokens" 2>/dev/null) \
      && grep -o '"token" *: *"[^"]*"' <<<"$answer" | sed -E 's/.*"([^"]+)"$/\1/' | grep . && return 0
    sleep "$attempt"
  done
  echo "netns-mesh: cannot mint a join token for $1: $answer" >&2
  return 1
}
service_a_token=$(mint service-a) || exit 1
for host in h1 h2; do mkdir -p "$work/$host" && cp "$data/ca.pem" "$work/$host/ca.pem"; done

# --- service-a on h1 and h2 ----------------------------------------------------------------------
# Fixed ports are safe: each namespace has ports of its own. The apps listen on their host's loopback.
run_service_a() { # NS NAME
  meshwork_in "$1" "service-a-$2" run --service service-a --app-port 8081 --labels "host=$2" \
    --control-plane "$CP_URL" --token "$service_a_token" --ca-file "$work/$2/ca.pem" \
    --inbound-port "$INBOUND_PORT" --http-port 15001 \
    --admin-port 15000 -- "$JAVA" "${JVM[@]}" -cp "$CLASSPATH_CLI" io.meshwork.cli.demo.ServiceApp "$2" 8081
}
run_service_a "$H1" h1
h1_runner=$started
run_service_a "$H2" h2
h2_runner=$started



entries() { api "$CP" /apis/networking.istio.io/v1beta1/namespaces/default/workloadentries; }
both_registered() {
  local pid list
  for pid in "$h1_runner" "$h2_runner"; do
    kill -0 "$pid" 2>/dev/null || { echo "netns-mesh: a sidecar exited early; see its log" >&2; exit 1; }
  done
  list=$(entries) || return 1
  grep -q "\"$SUBNET.2\"" <<<"$list" && grep -q "\"$SUBNET.3\"" <<<"$list"
}
await 150 "service-a registered on h1 and h2" both_registered || exit 1
step "service-a is registered on h1 and h2"
list=$(entries)
if grep -q '"0\.0\.0\.0"\|"127\.0\.0\.1"' <<<"$list"; then
  fail "registered addresses: a loopback or wildcard address is registered: $list"
else
  ok "each instance registered its host's address ($SUBNET.2 and $SUBNET.3), found without --advertise-address"
fi

call() { # a request to service-a as h1's app makes it, through its sidecar; prints the body and the status
  ip netns exec "$H1" env -u no_proxy -u NO_PROXY curl -sS --max-time 10 -x http://127.0.0.1:15001 \
    -w '\n%{http_code}' http://service-a/ 2>&1
}
reaches() { call | grep -q "\"service\":\"$1\""; }
await 90 "h1 to reach h2's instance" reaches h2 || exit 1
await 60 "h1 to reach its own instance" reaches h1 || exit 1
seen=""
for _ in 1 2 3 4 5 6; do seen+=$(call | tr -d '\n')$'\n'; done
if grep -q '"service":"h1"' <<<"$seen" && grep -q '"service":"h2"' <<<"$seen" && [ "$(grep -c '}200$' <<<"$seen")" = 6 ]; then
  ok "from h1, service-a answers on h1 and on h2 (6 of 6 requests answered 200, both hosts seen)"
else
  fail "routing across hosts: $seen"
fi

# --- mTLS STRICT: the inbound port takes only mesh certificates -----------------------------------
plain=$(ip netns exec "$CP" curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://$SUBNET.3:$INBOUND_PORT/" 2>/dev/null)
plain_exit=$?
tls=$(ip netns exec "$CP" curl -sS -k --max-time 5 -o /dev/null -w '%{http_code}' "https://$SUBNET.3:$INBOUND_PORT/" 2>/dev/null)
tls_exit=$?
if [ "$plain_exit" != 0 ] && [ "$plain" = 000 ] && [ "$tls_exit" != 0 ] && [ "$tls" = 000 ]; then
  ok "STRICT: plaintext from cp to h2's inbound port is refused (curl exit $plain_exit), TLS without a mesh certificate too (exit $tls_exit)"
else
  fail "STRICT: plaintext got HTTP $plain (curl exit $plain_exit), TLS without a client certificate got $tls (exit $tls_exit)"
fi

# --- what listens where -------------------------------------------------------------------------
exposed=""
check_listeners() { # NS ALLOWED-NON-LOOPBACK-ADDRESS:PORT
  local addr
  # A JVM's IPv4 listeners show as IPv4-mapped IPv6 ([::ffff:127.0.0.1]:15001): compare the IPv4 form.
  while read -r addr; do
    case "$addr" in
      127.*:*|\[::1\]:*|"$2") ;;
      *) exposed+=" ${1#"$run_id"-}:$addr" ;;
    esac
  done < <(ip netns exec "$1" ss -ltnH | awk '{print $4}' | sed -E 's/^\[::ffff:([0-9.]+)\]/\1/')
}
check_listeners "$CP" "$SUBNET.1:$CP_PORT"
check_listeners "$H1" "$SUBNET.2:$INBOUND_PORT"
check_listeners "$H2" "$SUBNET.3:$INBOUND_PORT"
if [ -z "$exposed" ]; then
  ok "only the inbound ports ($SUBNET.2:$INBOUND_PORT, $SUBNET.3:$INBOUND_PORT) and the control plane's API ($SUBNET.1:$CP_PORT) listen beyond loopback"
else
  fail "listening beyond loopback, besides the inbound ports and the control plane's API:$exposed"
fi

# --- failover: h2's instance dies with SIGKILL ----------------------------------------------------
load="$work/load"
( for _ in $(seq 1 30); do call | tr -d '\n'; echo; sleep 0.05; done ) >"$load" &
load_pid=$!
load_begun() { [ "$(wc -l <"$load")" -ge 8 ]; }
await 30 "the first requests of the load" load_begun
{ kill -9 "$h2_runner"; wait "$h2_runner"; } 2>/dev/null
killed_at=$(wc -l <"$load")
wait "$load_pid"
answered=$(grep -c '}200$' "$load")
# The request under way at the kill may still have been answered by h2; the ones after it cannot.
after_kill=$(tail -n +"$((killed_at + 2))" "$load")
if [ "$answered" = 30 ] && ! grep -q '"service":"h2"' <<<"$after_kill"; then
  ok "h2's meshwork run killed with SIGKILL under load: 30 of 30 requests answered 200, the $(wc -l <<<"$after_kill") after the kill by h1"
else
  fail "failover: $answered of 30 requests answered 200: $(grep -v '}200$' "$load" | sort | uniq -c | head -5)"
fi
h2_left() { [ -z "$(ip netns pids "$H2")" ]; }
if await 10 "h2's app to die with its runner" h2_left; then
  ok "h2's app died with its runner (no process left in h2)"
else
  fail "processes left in h2 after its runner was killed: $(ip netns pids "$H2" | xargs -r ps -o pid=,args= -p | cut -c1-120)"
fi

if [ "$failures" = 0 ]; then
  echo "netns-mesh: every check held ($passed)"
  exit 0
fi
echo "netns-mesh: $failures of $((passed + failures)) checks did not hold; logs in $logs"
exit 1
