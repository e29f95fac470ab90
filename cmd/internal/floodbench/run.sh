#!/usr/bin/env bash
# Whole-program flood measurement: ferry and irssi, each the real
# binary in a 160x48 tmux pane, connected to floodbench on 127.0.0.1, which
# floods one channel with N lines (PRIVMSGs, or JOINs of N distinct nicks
# with KIND=join) and then sends a CTCP VERSION; the reply marks that every
# line was processed. While the flood runs a line "probe TIME" is typed
# into the client every half second; floodbench reports how long each took
# to reach it (the median and the worst are printed, in ms). For each run
# it records the client's CPU time (utime+stime from /proc/PID/stat: total, and during the flood
# alone), the wall time of the flood, and its RSS (VmRSS) right after the
# reply and again 5 s later. Each client runs RUNS times; medians are printed.
#
# Usage:  cmd/internal/floodbench/run.sh
# Environment:
#   N=100000          lines in the flood
#   KIND=privmsg      privmsg or join
#   PROBES=1          type probe lines during the flood (0: do not)
#   RUNS=3            runs per client
#   CLIENTS="ferry irssi"
#   FERRY_BIN=path    use this ferry binary instead of building one
#   FERRY_REV=rev     build ferry from this git revision (e.g. HEAD) instead
#                     of the working tree (useful while others are mid-edit)
#   KEEP=1            keep the work directory (configs, screens, outputs)
# irssi is installed with `apt-get install -y irssi` when missing and root.
set -euo pipefail

N=${N:-100000}
KIND=${KIND:-privmsg}
PROBES=${PROBES:-1}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-"ferry irssi"}
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d /tmp/floodbench.XXXXXX)
sock=floodbench-$$
fbpid=

cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock" # tmux leaves its socket file
	if [ -n "$fbpid" ]; then kill "$fbpid" 2>/dev/null || true; fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "work directory kept: $work"; fi
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "run.sh needs tmux" >&2; exit 1; }

# --- build ---
echo "building floodbench and ferry in $work"
(cd "$root" && go build -o "$work/floodbench" ./cmd/internal/floodbench)
if [ -n "${FERRY_BIN:-}" ]; then
	cp "$FERRY_BIN" "$work/ferry"
elif [ -n "${FERRY_REV:-}" ]; then
	mkdir "$work/src"
	(cd "$root" && git archive "$FERRY_REV") | tar -x -C "$work/src"
	(cd "$work/src" && go build -o "$work/ferry" ./cmd/ferry)
else
	(cd "$root" && go build -o "$work/ferry" ./cmd/ferry)
fi
"$work/ferry" --version
if [[ " $CLIENTS " == *" irssi "* ]] && ! command -v irssi >/dev/null; then
	if [ "$(id -u)" = 0 ]; then apt-get install -y irssi >/dev/null; else
		echo "irssi is not installed (apt-get install -y irssi)" >&2; exit 1
	fi
fi

median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

# cpu_ticks PID: utime+stime in clock ticks (fields 14, 15; the command
# name in parentheses may contain spaces, so count after the last ')').
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
tck=$(getconf CLK_TCK)

# client_cmd CLIENT DIR PORT: the shell command that runs CLIENT (exec'd,
# so the pane's pid is the client's) with everything under DIR.
client_cmd() {
	local client=$1 dir=$2 port=$3
	case "$client" in
	ferry)
		mkdir -p "$dir/config/ferry" "$dir/state" "$dir/data"
		cat >"$dir/config/ferry/config.toml" <<-EOF
			# floodbench: plaintext to the loopback flood server, defaults otherwise
			# (scrollback 10 000 lines per buffer, chat logs on).
			[[network]]
			name = "flood"
			host = "127.0.0.1"
			port = $port
			tls = false
			nick = "bench"
			autojoin = ["#flood"]
		EOF
		echo "exec env HOME=$dir XDG_CONFIG_HOME=$dir/config XDG_STATE_HOME=$dir/state XDG_DATA_HOME=$dir/data $work/ferry --config $dir/config/ferry/config.toml"
		;;
	irssi)
		mkdir -p "$dir/irssi"
		cat >"$dir/irssi/config" <<-EOF
			servers = (
			  { address = "127.0.0.1"; chatnet = "flood"; port = "$port"; use_tls = "no"; autoconnect = "yes"; }
			);
			chatnets = { flood = { type = "IRC"; }; };
			channels = ( { name = "#flood"; chatnet = "flood"; autojoin = "yes"; } );
			settings = { core = { real_name = "bench"; user_name = "bench"; nick = "bench"; }; };
		EOF
		echo "exec env HOME=$dir irssi --home=$dir/irssi"
		;;
	*) echo "unknown client $client" >&2; return 1 ;;
	esac
}

# run_one CLIENT I: one measured run; appends "cpu_total cpu_flood us_line rss_mb rss5_mb wall probe_p50 probe_max cpu_total5" to $work/CLIENT.results
run_one() {
	local client=$1 i=$2 dir="$work/$1-$2"
	mkdir -p "$dir"
	: >"$dir/out" # exists before the port is looked for
	"$work/floodbench" -n "$N" -kind "$KIND" -pidfile "$dir/pid" >"$dir/out" 2>"$dir/err" &
	fbpid=$!
	local port=
	for _ in $(seq 1 100); do
		port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/out")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { echo "floodbench did not start: $(cat "$dir/err")" >&2; return 1; }

	local cmd
	cmd=$(client_cmd "$client" "$dir" "$port")
	tmux -L "$sock" -f /dev/null new-session -d -s "run" -x 160 -y 48 "$cmd"
	local pid
	pid=$(tmux -L "$sock" display -p -t run '#{pane_pid}')
	echo "$pid" >"$dir/pid"

	# Look at the channel, as a person would: ferry switches to an
	# autojoined channel itself; irssi leaves it in window 2. floodbench
	# waits -settle (2 s) after the JOIN before flooding.
	for _ in $(seq 1 100); do
		grep -q '^joined ' "$dir/out" && break
		sleep 0.1
	done
	if [ "$client" = irssi ]; then
		tmux -L "$sock" send-keys -t run "/window goto #flood" Enter
	fi

	# Type a stamped line every half second while the flood runs.
	local prober=
	if [ "$PROBES" = 1 ]; then
		(
			until grep -q '^flood-start' "$dir/out"; do sleep 0.05; done
			while ! grep -q '^done ' "$dir/out" && kill -0 "$fbpid" 2>/dev/null; do
				tmux -L "$sock" send-keys -t run "probe $(date +%s%N)" Enter 2>/dev/null || break
				sleep 0.5
			done
		) &
		prober=$!
	fi

	local ok=0
	for _ in $(seq 1 3000); do # 300 s
		if grep -q '^done ' "$dir/out"; then ok=1; break; fi
		kill -0 "$fbpid" 2>/dev/null || break
		sleep 0.1
	done
	local ticks rss
	ticks=$(cpu_ticks "$pid")
	rss=$(rss_kb "$pid")
	tmux -L "$sock" capture-pane -p -t run >"$dir/screen.txt" 2>/dev/null || true
	if [ "$ok" -ne 1 ]; then
		echo "$client run $i: no VERSION reply; floodbench said:" >&2
		cat "$dir/out" "$dir/err" >&2
		cat "$dir/screen.txt" >&2
		return 1
	fi
	sleep 5
	if [ -n "$prober" ]; then wait "$prober" 2>/dev/null || true; fi
	local rss5
	rss5=$(rss_kb "$pid")
	# A client may still be drawing what it read when it answered the
	# CTCP: its CPU time 5 s later counts that too.
	local ticks5
	ticks5=$(cpu_ticks "$pid")
	tmux -L "$sock" kill-server 2>/dev/null || true
	wait "$fbpid" || true
	fbpid=

	local done_line wall cpu_flood
	done_line=$(grep '^done ' "$dir/out")
	wall=$(sed 's/.*elapsed_s=\([0-9.]*\).*/\1/' <<<"$done_line")
	cpu_flood=$(sed 's/.*cpu_flood_s=\([0-9.]*\).*/\1/' <<<"$done_line")
	local cpu_total cpu_total5 us_line rss_mb rss5_mb
	cpu_total=$(awk -v t="$ticks" -v h="$tck" 'BEGIN{printf "%.2f", t/h}')
	cpu_total5=$(awk -v t="$ticks5" -v h="$tck" 'BEGIN{printf "%.2f", t/h}')
	us_line=$(awk -v c="$cpu_flood" -v n="$N" 'BEGIN{printf "%.1f", c*1e6/n}')
	rss_mb=$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')
	rss5_mb=$(awk -v k="$rss5" 'BEGIN{printf "%.1f", k/1024}')
	local probes probe_p50 probe_max
	probes=$(sed -n 's/^probe ms=\([0-9.]*\)$/\1/p' "$dir/out")
	if [ -n "$probes" ]; then
		probe_p50=$(median <<<"$probes")
		probe_max=$(sort -g <<<"$probes" | tail -1)
	else
		probe_p50=- probe_max=-
	fi
	printf '%-6s run %d: cpu total %6ss  cpu flood %6ss  %6s us/line  wall %6ss  rss %6s MB  (5 s later %s MB, cpu total %ss)  probe ms p50 %s max %s (%d)\n' \
		"$client" "$i" "$cpu_total" "$cpu_flood" "$us_line" "$wall" "$rss_mb" "$rss5_mb" "$cpu_total5" "$probe_p50" "$probe_max" "$(grep -c . <<<"$probes")"
	echo "$cpu_total $cpu_flood $us_line $rss_mb $rss5_mb $wall $probe_p50 $probe_max $cpu_total5" >>"$work/$client.results"
}


for client in $CLIENTS; do
	for i in $(seq 1 "$RUNS"); do
		run_one "$client" "$i"
	done
done

echo
echo "medians over $RUNS runs, $N lines ($KIND):"
printf '%-6s %10s %10s %8s %8s %8s %10s %10s %10s %10s\n' client cpu_total cpu_flood us/line wall_s rss_MB rss_5s_MB probe_p50 probe_max cpu_5s
for client in $CLIENTS; do
	f="$work/$client.results"
	printf '%-6s %10s %10s %8s %8s %8s %10s %10s %10s %10s\n' "$client" \
		"$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)" \
		"$(cut -d' ' -f6 "$f" | median)" "$(cut -d' ' -f4 "$f" | median)" "$(cut -d' ' -f5 "$f" | median)" \
		"$(cut -d' ' -f7 "$f" | median)" "$(cut -d' ' -f8 "$f" | median)" "$(cut -d' ' -f9 "$f" | median)"
done
