# Shared by patroni/env.sh and understudy/env.sh: processes are handled by PID only (verified by their
# command line), never by name; every wait is bounded. Callers set PG_USER and PSQL_BIN before sourcing.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
log() { echo "$(basename "$0"): $*" >&2; }
now_iso() { iso_of "$EPOCHREALTIME"; }
iso_of() { # EPOCHREALTIME value -> UTC ISO 8601 with milliseconds
  local t=$1; local sec=${t%.*} frac=${t#*.}000
  TZ=UTC printf '%(%Y-%m-%dT%H:%M:%S)T.%sZ\n' "$sec" "${frac:0:3}"
}
now_s() { echo "$EPOCHREALTIME"; }
phase() { [ "${VERBOSE:-0}" = 1 ] && log "+$(python3 -c "print(round($EPOCHREALTIME - $1, 2))")s $2" || true; }

# ---------------------------------------------------------------- processes (by PID, verified by cmdline)

# cmdline of PID with NULs as spaces, or nothing when it is gone.
cmdline_of() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null || true; }

# State letter of PID (R, S, T, Z, ...), or nothing when it is gone.
state_of() {
  local s
  { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 0
  s=${s##*) }
  echo "${s%% *}"
}

# True when PID exists, is not a zombie, and its cmdline contains every given fragment.
pid_is() {
  local pid=$1 cmd st frag; shift
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  st=$(state_of "$pid"); [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] || return 1
  cmd=$(cmdline_of "$pid")
  for frag in "$@"; do [[ "$cmd" == *"$frag"* ]] || return 1; done
}

alive() { local st; st=$(state_of "$1"); [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]; }

# Prints every descendant of the given PIDs (not the PIDs themselves), walking /proc by ppid.
descendants() {
  local -A children=()
  local f s rest pid ppid
  for f in /proc/[0-9]*/stat; do
    { read -r s < "$f"; } 2>/dev/null || continue
    rest=${s##*) }; rest=${rest#* }; ppid=${rest%% *}
    pid=${f#/proc/}; pid=${pid%/stat}
    children[$ppid]+=" $pid"
  done
  local -a queue=("$@"); local i=0 p c
  while [ $i -lt ${#queue[@]} ] && [ $i -lt 100000 ]; do
    p=${queue[$i]}; i=$((i + 1))
    for c in ${children[$p]:-}; do echo "$c"; queue+=("$c"); done
  done
}

# Waits up to SECONDS for all PIDs to be gone (or zombies); returns 1 if some are left.
wait_gone() {
  local secs=$1; shift
  local deadline=$(( $(date +%s) + secs )) p left
  while :; do
    left=0
    for p in "$@"; do alive "$p" && left=1; done
    [ $left = 0 ] && return 0
    [ "$(date +%s)" -ge $deadline ] && return 1
    sleep 0.1
  done
}

# Sends SIG to PID (and SIGCONT, in case it is stopped), waits up to SECS for it to go, then SIGKILL.
stop_pid() {
  local pid=$1 sig=$2 secs=$3
  alive "$pid" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true
  if ! wait_gone "$secs" "$pid"; then
    log "PID $pid still alive after SIG$sig and ${secs}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone 5 "$pid" || log "PID $pid survived SIGKILL"
  fi
}

read_pidfile() { [ -s "$1" ] && head -n 1 "$1" | tr -dc 0-9 || true; }

# ---------------------------------------------------------------- small helpers

free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
}

http_code() { curl -s -o /dev/null -m "${2:-1}" -w '%{http_code}' "$1" 2>/dev/null || true; }
http_body() { curl -s -m "${2:-1}" "$1" 2>/dev/null || true; }

psql_ha() { # psql through HAProxy: psql_ha PORT SQL
  PGCONNECT_TIMEOUT=2 "$PSQL_BIN" -w -X -A -t -q -h 127.0.0.1 -p "$1" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -c "$2" 2>/dev/null
}

# Reads a field of DIR/env.json by its keys: json_get DIR haproxy port
json_get() {
  python3 - "$1/env.json" "${@:2}" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (list, dict)) else v)
EOF
}

as_pg() { runuser -u "$PG_USER" -- "$@"; }

# The "host crash" of ANCHORS.md: SIGSTOP the given root processes and every descendant (walking /proc
# again until a walk finds nothing new), then SIGKILL them all, so nothing of that node answers after the
# instant. Sets CRASH_PIDS, CRASH_BEGAN, CRASH_INSTANT (when the last one was stopped) and CRASH_KILLED.
crash_processes() {
  local -a roots=("$@") all=("$@")
  local -A seen=(); local p i
  for p in "${roots[@]}"; do seen[$p]=1; done
  # 1. SIGSTOP the roots: a stopped postmaster cannot fork backends, a stopped Patroni cannot start anything.
  # 2. Walk /proc for their descendants (a stable set now) and SIGSTOP them all in one call, so that no
  #    backend keeps committing after the walsender is frozen (that would lose acknowledged writes that a
  #    real host crash would not). 3. Walk again until a walk finds nothing new.
  local t_began=$EPOCHREALTIME
  kill -STOP "${roots[@]}" 2>/dev/null || true
  local t_stopped=$EPOCHREALTIME
  for i in $(seq 1 20); do
    local -a batch=()
    for p in $(descendants "${all[@]}"); do
      [ -n "${seen[$p]:-}" ] && continue
      seen[$p]=1; batch+=("$p")
    done
    [ ${#batch[@]} = 0 ] && break
    kill -STOP "${batch[@]}" 2>/dev/null || true
    t_stopped=$EPOCHREALTIME   # the instant is when the last of them was stopped
    all+=("${batch[@]}")
  done
  kill -KILL "${all[@]}" 2>/dev/null || true
  local t_killed=$EPOCHREALTIME
  CRASH_PIDS=("${all[@]}")
  CRASH_BEGAN=$(iso_of "$t_began"); CRASH_INSTANT=$(iso_of "$t_stopped"); CRASH_KILLED=$(iso_of "$t_killed")
}
