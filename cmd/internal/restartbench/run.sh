#!/usr/bin/env bash
# Server restart, as the user on it lives through it: for each scenario a
# real client runs in a 160x48 tmux pane, joined to #restart, with an
# observer (restartbench's raw IRC client) in the same channel. restartbench
# types probe lines into the pane (the baseline), restarts the user's server
# (SIGTERM, wait for the exit, start again on the same port), types a
# numbered line into the pane from the SIGTERM on until the old server
# process has exited and a line typed after that (the witness) has been
# heard, and reports:
#   interruption  each typed line waits from its typing (just before its
#                 tmux send-keys) to the earliest arrival at the observer of
#                 any line typed at or after it (a lost line waits for the
#                 next one heard); the interruption is the longest wait of a
#                 line typed from the SIGTERM up to the witness, less base
#                 ("more than CAP s" past CAP);
#   base          the median wait of the probe lines typed before the
#                 restart: tmux, the client and the servers on an
#                 undisturbed path; spread is their max - median, the noise
#                 floor;
#   rtt           the relay's configured round trip, and the measured
#                 one: before the baseline restartbench opens its own
#                 connection to where the client connects (for
#                 ferry-cluster through the same relay, at RTT 0 too, and
#                 over TLS when the row is TLS; for the others directly),
#                 sends 15 PINGs one at a time (registering a throwaway
#                 nick first where the server wants that, as ngircd does)
#                 and takes the median PING->PONG time, then quits before
#                 the restart. It is the configured delay plus what a real
#                 round trip on that link costs on top: the relay's
#                 scheduling and the server's turnaround;
#   bound         2 x measured RTT + 2 ms: two IRC round trips on that link
#                 (a migration's window, MIGRATE OK to CONFIRM) plus 2 ms,
#                 what a migration may cost a typed line at most; the
#                 interruption is also given in measured RTTs (RTTm);
#   ferry_win     the migration window ferry itself measured (its MIGRATE
#                 OK until CONFIRM), read from the line it writes to the
#                 server buffer's chat log ("Moved to s2 (window ...)"): how
#                 long a line typed at the worst moment is held, exactly;
#                 the interruption samples it with lines 10 ms apart, so it
#                 can fall short of it by up to 10 ms;
#   first line    the old figure: from the SIGTERM until the first line
#                 typed after it reaches the observer;
#   missed        the observer's lines (one every 250 ms) missing from the
#                 user's chat log after the run;
#   typed lost    lines typed into the client that never reached anyone;
#   seen          what the observer saw of the user (JOIN, PART, QUIT, NICK)
#                 from the restart on, with times relative to it.
# Typing: the migration scenarios (ferry-ferryd, ferry-cluster) type every
# 10 ms, the baseline being 20 lines 10 ms apart; the ngircd scenarios type
# every 100 ms, the baseline 3 lines 3 s apart: irssi's and WeeChat's flood
# control must stay out of the baseline, and WeeChat spaces a user's lines
# 2 s apart by default (irssi 2.2 s past a burst of 5).
# ferry's flood control is LIFTED in every ferry scenario (flood = burst
# 1000, interval 1ms): dense typing would otherwise meet its default (a
# burst of 8, then a line per 500 ms), which has nothing to do with the
# restart. irssi and WeeChat keep their defaults.
# Scenarios:
#   ferry-ngircd    ferry on ngircd, ngircd restarted: a reconnect
#   irssi-ngircd    irssi (defaults, autolog on to read what it showed)
#   weechat-ngircd  WeeChat (defaults; its logger is on by default)
#   ferry-ferryd    ferry on ferryd (one process, nodes s1 and s2), the
#                   user's node s1 drained (operator command "drain s1"):
#                   its clients migrate to s2; nothing is restarted, and
#                   typing goes on for 200 ms after the command (the
#                   drain's end is not watched; at RTT 0 it takes a few ms,
#                   and a longer span only adds lines whose waits are
#                   noise)
#   ferry-cluster   ferry on a ferryd cluster (NATS), the user's node
#                   restarted: its clients migrate; runs only when
#                   `ferryd -h` lists -nats-listen. Run at each RTT in RTTS
#                   and each transport in TRANSPORTS: every node listens on
#                   127.0.0.1 and advertises 127.0.0.2, where restartbench
#                   runs a relay adding the RTT on the same port, so ferry
#                   reaches the old and the new node through a relay; the
#                   observer is on s2 directly. With tls, every node has one
#                   certificate (for 127.0.0.1 and 127.0.0.2) from a CA that
#                   ferry trusts (ca_file). s1 is started again only once
#                   the witness has been heard (CLUSTER_START=after-measure,
#                   the default): its users are on s2 by then, and on a real
#                   network s1 restarts on its own machine, while here its
#                   start-up (Go runtime, NATS, KV, stream replay) would take
#                   the 2 cores from ferry, tmux, s2 and NATS while lines
#                   typed after the migration are being measured. down_ms in
#                   the per-run lines then includes that wait.
#                   CLUSTER_START=immediate starts it at once after its exit.
# The ngircd and ferryd scenarios run at RTT 0 without relays; their round
# trip is measured on a direct connection to the user's server.
# On a single ngircd the observer loses its connection too (it reconnects at
# once), so it cannot see the user's QUIT: what it sees is the user joining
# again. ngircd runs with MaxPenaltyTime = 0 so that the server's own
# throttling delays nobody.
#
# Usage:  cmd/internal/restartbench/run.sh
# Environment:
#   RUNS=3            runs per row (medians are printed)
#   SCENARIOS="ferry-ngircd irssi-ngircd weechat-ngircd ferry-ferryd ferry-cluster"
#   RTTS="0 20 100"   round-trip times of ferry-cluster, in milliseconds
#   TRANSPORTS="plain tls"  transports of ferry-cluster
#   CLUSTER_START=after-measure  when ferry-cluster's s1 starts again:
#                     after-measure (once the witness is heard) or immediate
#                     (at once after its exit); the ngircd scenarios always
#                     start at once (their users need the server back)
#   CAP=120           seconds to wait for the user before giving up
#   FERRY_BIN=path    use this ferry binary instead of building one
#   FERRYD_BIN=path   use this ferryd binary instead of building one
#   FERRY_DEBUG=1     run ferry with --debug --raw-log (its debug.log is in
#                     the run's state/ferry; use with KEEP=1)
#   KEEP=1            keep the work directory (configs, logs, outputs, and
#                     lines.tsv: each typed line, typed and arrived, its wait)
# ngircd and WeeChat (weechat-curses) are installed with apt-get when
# missing and root; irssi likewise.
set -euo pipefail

RUNS=${RUNS:-3}
SCENARIOS=${SCENARIOS:-"ferry-ngircd irssi-ngircd weechat-ngircd ferry-ferryd ferry-cluster"}
RTTS=${RTTS:-"0 20 100"}
TRANSPORTS=${TRANSPORTS:-"plain tls"}
CLUSTER_START=${CLUSTER_START:-after-measure}
case "$CLUSTER_START" in
after-measure | immediate) ;;
*) echo "CLUSTER_START must be after-measure or immediate, not $CLUSTER_START" >&2; exit 1 ;;
esac
CAP=${CAP:-120}
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d /tmp/restartbench.XXXXXX)
chmod 755 "$work" # ngircd drops to nobody and reads its config again on restart
sock=restartbench-$$
bgpids=()

cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "work directory kept: $work"; fi
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "run.sh needs tmux" >&2; exit 1; }
need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null && return 0
	if [ "$(id -u)" = 0 ]; then apt-get install -y "$2" >/dev/null; else
		echo "$1 is not installed (apt-get install -y $2)" >&2; exit 1
	fi
}
[[ "$SCENARIOS" == *ngircd* ]] && need ngircd ngircd
[[ " $SCENARIOS " == *" irssi-ngircd "* ]] && need irssi irssi
[[ " $SCENARIOS " == *" weechat-ngircd "* ]] && need weechat weechat-curses

echo "building restartbench, ferry and ferryd in $work"
(cd "$root" && go build -o "$work/restartbench" ./cmd/internal/restartbench)
if [ -n "${FERRY_BIN:-}" ]; then cp "$FERRY_BIN" "$work/ferry"; else (cd "$root" && go build -o "$work/ferry" ./cmd/ferry); fi
if [ -n "${FERRYD_BIN:-}" ]; then cp "$FERRYD_BIN" "$work/ferryd"; else (cd "$root" && go build -o "$work/ferryd" ./cmd/ferryd); fi
"$work/ferry" --version
"$work/restartbench" -make-cert "$work" # ca.pem, cert.pem, key.pem for the TLS cluster

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ngircd_conf DIR PORT: a config for one ngircd on 127.0.0.1:PORT.
ngircd_conf() {
	local dir=$1 port=$2 ids=
	if [ "$(id -u)" = 0 ]; then ids=$'\tServerUID = 65534\n\tServerGID = 65534'; fi
	cat >"$dir/ngircd.conf" <<-EOF
		[Global]
			Name = ngircd.restart
			Info = restartbench
			Listen = 127.0.0.1
			Ports = $port
			MotdPhrase = restartbench
		$ids
		[Limits]
			MaxConnectionsIP = 0
			MaxPenaltyTime = 0
		[Options]
			DNS = no
			Ident = no
			PAM = no
	EOF
	chmod 755 "$dir"
	chmod 644 "$dir/ngircd.conf"
	echo "ngircd --nodaemon --config $dir/ngircd.conf"
}

# client_cmd CLIENT DIR HOST PORT [tls]: the shell command that runs CLIENT
# with a fresh home under DIR (exec'd, so the pane's pid is the client's),
# and sets logdir to where its chat logs go. Only ferry takes tls.
client_cmd() {
	local client=$1 dir=$2 host=$3 port=$4 tr=${5:-plain}
	case "$client" in
	ferry)
		mkdir -p "$dir/config/ferry" "$dir/state" "$dir/data"
		local tls=false ca=
		if [ "$tr" = tls ]; then tls=true; ca="ca_file = \"$work/ca.pem\""; fi
		# flood: lifted, see the header.
		cat >"$dir/config/ferry/config.toml" <<-EOF
			[[network]]
			name = "bench"
			host = "$host"
			port = $port
			tls = $tls
			$ca
			nick = "user"
			autojoin = ["#restart"]
			flood = { burst = 1000, interval = "1ms" }
		EOF
		logdir=$dir/data/ferry/logs
		local debug=
		if [ -n "${FERRY_DEBUG:-}" ]; then debug=" --debug --raw-log"; fi
		echo "exec env HOME=$dir XDG_CONFIG_HOME=$dir/config XDG_STATE_HOME=$dir/state XDG_DATA_HOME=$dir/data $work/ferry --config $dir/config/ferry/config.toml$debug"
		;;
	irssi)
		mkdir -p "$dir/irssi"
		cat >"$dir/irssi/config" <<-EOF
			servers = (
			  { address = "127.0.0.1"; chatnet = "bench"; port = "$port"; use_tls = "no"; autoconnect = "yes"; }
			);
			chatnets = { bench = { type = "IRC"; }; };
			channels = ( { name = "#restart"; chatnet = "bench"; autojoin = "yes"; } );
			settings = {
			  core = { real_name = "user"; user_name = "user"; nick = "user"; };
			  "fe-common/core" = { autolog = "yes"; autolog_path = "$dir/irclogs/\$tag/\$0.log"; };
			};
		EOF
		logdir=$dir/irclogs
		echo "exec env HOME=$dir irssi --home=$dir/irssi"
		;;
	weechat)
		mkdir -p "$dir/weechat"
		logdir=$dir/weechat/logs
		echo "exec env HOME=$dir weechat --dir $dir/weechat -r '/server add bench 127.0.0.1/$port -notls;/set irc.server.bench.nicks user;/set irc.server.bench.autojoin #restart;/connect bench'"
		;;
	*) echo "unknown client $client" >&2; return 1 ;;
	esac
}

# has_cluster reads the whole help first: grep -q quitting early would
# make ferryd die of SIGPIPE, and pipefail would call that a failure.
has_cluster() {
	local h
	h=$("$work/ferryd" -h 2>&1 || true)
	[[ $h == *-nats-listen* ]]
}

# run_one SCENARIO RTT TRANSPORT I: one measured run; appends the result
# line to $work/SCENARIO-rttRTT-TRANSPORT.results
run_one() {
	local scenario=$1 rtt=$2 tr=$3 i=$4
	local key="$scenario-rtt$rtt-$tr" dir="$work/$1-rtt$2-$3-$4"
	mkdir -p "$dir"
	chmod 755 "$dir"
	local client=${scenario%%-*} port server observer_addr host=127.0.0.1 cport
	local restart=() # how the user's server goes away: SIGTERM and start again by default
	local relay=()
	local ping=() # where the round trip is measured: by default -addr, directly
	# Typing: dense for a migration, as before for a reconnect (see the header).
	local typing=(-type-every 100ms -probes 3 -probe-every 3s)
	port=$(free_port)
	cport=$port
	observer_addr=127.0.0.1:$port
	case "$scenario" in
	*-ngircd)
		server=$(ngircd_conf "$dir" "$port")
		;;
	ferry-ferryd)
		local p2
		p2=$(free_port)
		server="$work/ferryd -nodes s1=127.0.0.1:$port,s2=127.0.0.1:$p2"
		observer_addr=127.0.0.1:$p2
		restart=(-restart-input "drain s1" -drain-span 200ms)
		typing=(-type-every 10ms -probes 20 -probe-every 10ms)
		;;
	ferry-cluster)
		# NATS alone, node s2 (where the observer is), and node s1 (the
		# user's), which restartbench restarts. Each node has a plain and
		# a TLS listener on 127.0.0.1 and advertises 127.0.0.2, where a
		# relay listens on the same port.
		local nport t1 p2 t2 tlsflags
		nport=$(free_port)
		t1=$(free_port)
		p2=$(free_port)
		t2=$(free_port)
		tlsflags="-tls-cert $work/cert.pem -tls-key $work/key.pem"
		"$work/ferryd" -nats-listen "127.0.0.1:$nport" -nats-dir "$dir/nats" >"$dir/nats.log" 2>&1 &
		bgpids+=($!)
		sleep 0.5
		# shellcheck disable=SC2086
		"$work/ferryd" -nats "nats://127.0.0.1:$nport" -node "s2=127.0.0.1:$p2+127.0.0.1:$t2@127.0.0.2" $tlsflags >"$dir/s2.log" 2>&1 &
		bgpids+=($!)
		sleep 0.5
		server="$work/ferryd -nats nats://127.0.0.1:$nport -node s1=127.0.0.1:$port+127.0.0.1:$t1@127.0.0.2 $tlsflags"
		observer_addr=127.0.0.1:$p2
		host=127.0.0.2
		if [ "$tr" = tls ]; then cport=$t1; fi
		relay=(-rtt "${rtt}ms" -relay "127.0.0.2:$port=127.0.0.1:$port,127.0.0.2:$t1=127.0.0.1:$t1,127.0.0.2:$p2=127.0.0.1:$p2,127.0.0.2:$t2=127.0.0.1:$t2")
		# The round trip on ferry's path: its relay to s1, its transport.
		ping=(-ping-addr "$host:$cport")
		if [ "$tr" = tls ]; then ping+=(-ping-tls -ping-ca "$work/ca.pem"); fi
		if [ "$CLUSTER_START" = after-measure ]; then restart=(-start-after-measure); fi
		typing=(-type-every 10ms -probes 20 -probe-every 10ms)
		;;
	esac
	local cmd logdir
	cmd=$(client_cmd "$client" "$dir" "$host" "$cport" "$tr")
	logdir=$(client_cmd "$client" "$dir" "$host" "$cport" "$tr" >/dev/null; echo "$logdir")
	: >"$dir/out"
	"$work/restartbench" -addr "127.0.0.1:$port" -observer-addr "$observer_addr" -server "$server" \
		-server-log "$dir/server.log" -tmux-socket "$sock" -pane run -pidfile "$dir/pid" \
		-logdir "$logdir" -lines "$dir/lines.tsv" -cap "${CAP}s" "${typing[@]}" "${relay[@]}" "${ping[@]}" "${restart[@]}" >"$dir/out" 2>"$dir/err" &
	local rb=$!
	bgpids+=($rb)
	for _ in $(seq 1 300); do
		grep -q '^observing' "$dir/out" && break
		kill -0 "$rb" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^observing' "$dir/out" || { echo "$key run $i: restartbench did not start: $(cat "$dir/err")" >&2; return 1; }
	tmux -L "$sock" -f /dev/null new-session -d -s run -x 160 -y 48 "$cmd"
	tmux -L "$sock" display -p -t run '#{pane_pid}' >"$dir/pid"
	if [ "$client" = irssi ]; then
		for _ in $(seq 1 300); do grep -q '^joined' "$dir/out" && break; sleep 0.1; done
		tmux -L "$sock" send-keys -t run "/window goto #restart" Enter
	fi
	for _ in $(seq 1 400); do grep -q '^restart' "$dir/out" && break; kill -0 "$rb" 2>/dev/null || break; sleep 0.1; done
	sleep 1.5 # the screen while the user is away
	tmux -L "$sock" capture-pane -p -t run >"$dir/screen-restart.txt" 2>/dev/null || true
	wait "$rb" || { echo "$key run $i failed:" >&2; cat "$dir/out" "$dir/err" >&2; tmux -L "$sock" kill-server 2>/dev/null || true; return 1; }
	tmux -L "$sock" kill-server 2>/dev/null || true
	if [ "$scenario" = ferry-cluster ]; then
		for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null || true; done
		bgpids=()
	fi
	local res
	res=$(grep '^result ' "$dir/out")
	if [ "$client" = ferry ]; then res="$res window_ms=$(ferry_window "$logdir")"; fi
	echo "$key run $i: ${res#result }"
	echo "${res#result }" >>"$work/$key.results"
}

# ferry_window LOGDIR: the migration window ferry measured (MIGRATE OK
# until CONFIRM), from the line it writes to its server buffer's chat log,
# "Moved to s2 (window 44.127675ms)", in ms; "-" when there was none.
ferry_window() {
	{ grep -rhoE 'Moved to [^ ]+ \(window [0-9.]+(ns|µs|us|ms|s)\)' "$1" 2>/dev/null || true; } | tail -1 |
		sed -E 's/.*window ([0-9.]+)(ns|µs|us|ms|s)\)/\1 \2/' |
		awk '{u=$2; v=$1; if (u=="ns") v/=1e6; else if (u=="µs"||u=="us") v/=1e3; else if (u=="s") v*=1e3; printf "%.3f\n", v} END{if (NR==0) print "-"}'
}

median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }

rows=() # "SCENARIO RTT TRANSPORT"
for scenario in $SCENARIOS; do
	if [ "$scenario" = ferry-cluster ] && ! has_cluster; then
		echo "ferry-cluster: skipped: ferryd has no cluster mode"
		continue
	fi
	if [ "$scenario" = ferry-cluster ]; then
		for rtt in $RTTS; do for tr in $TRANSPORTS; do rows+=("$scenario $rtt $tr"); done; done
	else
		rows+=("$scenario 0 plain")
	fi
done
for row in "${rows[@]}"; do
	# shellcheck disable=SC2086
	for i in $(seq 1 "$RUNS"); do run_one $row "$i"; done
done

echo
echo "medians over $RUNS runs (interruption capped at $CAP s; ferry's flood control lifted: burst 1000, interval 1ms; irssi and WeeChat at their defaults);"
if [[ " ${rows[*]} " == *" ferry-cluster "* ]]; then
	if [ "$CLUSTER_START" = after-measure ]; then
		echo "ferry-cluster's s1 started again once the witness was heard (CLUSTER_START=after-measure); the ngircd servers at once;"
	else
		echo "ferry-cluster's s1 started again at once after its exit (CLUSTER_START=immediate), as the ngircd servers;"
	fi
fi
echo "rtt: configured / measured (median PING->PONG on the client's path); bound: 2 x measured RTT + 2 ms (two IRC round trips on that link, plus 2 ms); RTTm: measured RTTs:"
printf '%-28s %7s %9s %26s %10s %9s %5s %16s %10s %8s %10s  %s\n' row rtt rtt_meas interruption "ferry_win" bound met "base (spread)" first_line missed typed_lost "seen by the observer (first run)"
for row in "${rows[@]}"; do
	read -r scenario rtt tr <<<"$row"
	f="$work/$scenario-rtt$rtt-$tr.results"
	label=$scenario
	if [ "$scenario" = ferry-cluster ]; then label="$scenario rtt=${rtt}ms $tr"; fi
	itr=$(field interruption_ms <"$f" | median)
	capped=$(field capped <"$f" | median)
	rttm=$(field rtt_measured_ms <"$f" | median)
	bound=$(awk -v m="$rttm" 'BEGIN{printf "%.2f", 2 * m + 2}')
	if [ "$(awk -v c="$capped" 'BEGIN{print (c >= 0.5)}')" = 1 ]; then
		itr_text="more than ${CAP} s"
		met=no
	else
		itr_text=$(awk -v v="$itr" -v m="$rttm" 'BEGIN{ if (m > 0) printf (v/m < 100 ? "%.1f ms (%.1f RTTm)" : "%.1f ms (%.0f RTTm)"), v, v/m; else printf "%.1f ms", v }')
		met=$(awk -v v="$itr" -v b="$bound" 'BEGIN{print (v <= b) ? "yes" : "no"}')
	fi
	win=-
	if field window_ms <"$f" | grep -q '^[0-9]'; then win=$(field window_ms <"$f" | grep '^[0-9]' | median); fi
	printf '%-28s %7s %9s %26s %10s %9s %5s %16s %10s %8s %10s  %s\n' "$label" "$rtt ms" "$rttm ms" "$itr_text" "$win ms" "$bound ms" "$met" \
		"$(field base_ms <"$f" | median) ms ($(field spread_ms <"$f" | median))" \
		"$(field first_line_ms <"$f" | median) ms" \
		"$(field missed <"$f" | median)/$(field said <"$f" | median)" \
		"$(field typed_lost <"$f" | median)/$(field typed <"$f" | median)" \
		"$(head -1 "$f" | sed -e 's/.*events=//' -e 's/ window_ms=.*//')"
done
