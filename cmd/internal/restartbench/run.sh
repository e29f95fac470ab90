#!/usr/bin/env bash
# Server restart, as the user on it lives through it: for each scenario a
# real client runs in a 160x48 tmux pane, joined to #restart, with an
# observer (restartbench's raw IRC client) in the same channel. restartbench
# restarts the user's server (SIGTERM, wait for the exit, start again on the
# same port), types a numbered line into the pane every 100 ms from the
# SIGTERM on, and reports:
#   interruption  from the SIGTERM until the first line typed after it
#                 reaches the observer ("more than CAP s" past CAP);
#   missed        the observer's lines (one every 250 ms) missing from the
#                 user's chat log after the run;
#   typed lost    lines typed into the client that never reached anyone;
#   seen          what the observer saw of the user (JOIN, PART, QUIT, NICK)
#                 from the restart on, with times relative to it.
# Scenarios:
#   ferry-ngircd    ferry (defaults) on ngircd, ngircd restarted: a reconnect
#   irssi-ngircd    irssi (defaults, autolog on to read what it showed)
#   weechat-ngircd  WeeChat (defaults; its logger is on by default)
#   ferry-ferryd    ferry on ferryd (one process, nodes s1 and s2), the
#                   user's node s1 drained (operator command "drain s1"):
#                   its clients migrate to s2; nothing is restarted
#   ferry-cluster   ferry on a ferryd cluster (NATS), the user's node
#                   restarted: its clients migrate; runs only when
#                   `ferryd -h` lists -nats-listen
# On a single ngircd the observer loses its connection too (it reconnects at
# once), so it cannot see the user's QUIT: what it sees is the user joining
# again. ngircd runs with MaxPenaltyTime = 0 so that the server's own
# throttling delays nobody; the clients' flood control is their default.
#
# Usage:  cmd/internal/restartbench/run.sh
# Environment:
#   RUNS=3            runs per scenario (medians are printed)
#   SCENARIOS="ferry-ngircd irssi-ngircd weechat-ngircd ferry-ferryd ferry-cluster"
#   CAP=120           seconds to wait for the user before giving up
#   FERRY_BIN=path    use this ferry binary instead of building one
#   FERRYD_BIN=path   use this ferryd binary instead of building one
#   KEEP=1            keep the work directory (configs, logs, outputs)
# ngircd and WeeChat (weechat-curses) are installed with apt-get when
# missing and root; irssi likewise.
set -euo pipefail

RUNS=${RUNS:-3}
SCENARIOS=${SCENARIOS:-"ferry-ngircd irssi-ngircd weechat-ngircd ferry-ferryd ferry-cluster"}
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

# client_cmd CLIENT DIR PORT: the shell command that runs CLIENT with a
# fresh home under DIR (exec'd, so the pane's pid is the client's), and
# sets logdir to where its chat logs go.
client_cmd() {
	local client=$1 dir=$2 port=$3
	case "$client" in
	ferry)
		mkdir -p "$dir/config/ferry" "$dir/state" "$dir/data"
		cat >"$dir/config/ferry/config.toml" <<-EOF
			[[network]]
			name = "bench"
			host = "127.0.0.1"
			port = $port
			tls = false
			nick = "user"
			autojoin = ["#restart"]
		EOF
		logdir=$dir/data/ferry/logs
		echo "exec env HOME=$dir XDG_CONFIG_HOME=$dir/config XDG_STATE_HOME=$dir/state XDG_DATA_HOME=$dir/data $work/ferry --config $dir/config/ferry/config.toml"
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

has_cluster() { "$work/ferryd" -h 2>&1 | grep -q -- '-nats-listen'; }

# run_one SCENARIO I: one measured run; appends the result line to $work/SCENARIO.results
run_one() {
	local scenario=$1 i=$2 dir="$work/$1-$2"
	mkdir -p "$dir"
	chmod 755 "$dir"
	local client=${scenario%%-*} port server observer_addr
	local restart=() # how the user's server goes away: SIGTERM and start again by default
	port=$(free_port)
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
		restart=(-restart-input "drain s1")
		;;
	ferry-cluster)
		# NATS alone, node s2 (where the observer is), and node s1 (the
		# user's), which restartbench restarts.
		local nport p2
		nport=$(free_port)
		p2=$(free_port)
		"$work/ferryd" -nats-listen "127.0.0.1:$nport" >"$dir/nats.log" 2>&1 &
		bgpids+=($!)
		sleep 0.5
		"$work/ferryd" -nats "nats://127.0.0.1:$nport" -node "s2=127.0.0.1:$p2" >"$dir/s2.log" 2>&1 &
		bgpids+=($!)
		sleep 0.5
		server="$work/ferryd -nats nats://127.0.0.1:$nport -node s1=127.0.0.1:$port"
		observer_addr=127.0.0.1:$p2
		;;
	esac
	local cmd logdir
	cmd=$(client_cmd "$client" "$dir" "$port")
	logdir=$(client_cmd "$client" "$dir" "$port" >/dev/null; echo "$logdir")
	: >"$dir/out"
	"$work/restartbench" -addr "127.0.0.1:$port" -observer-addr "$observer_addr" -server "$server" \
		-server-log "$dir/server.log" -tmux-socket "$sock" -pane run -pidfile "$dir/pid" \
		-logdir "$logdir" -cap "${CAP}s" "${restart[@]}" >"$dir/out" 2>"$dir/err" &
	local rb=$!
	bgpids+=($rb)
	for _ in $(seq 1 300); do
		grep -q '^observing' "$dir/out" && break
		kill -0 "$rb" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^observing' "$dir/out" || { echo "$scenario run $i: restartbench did not start: $(cat "$dir/err")" >&2; return 1; }
	tmux -L "$sock" -f /dev/null new-session -d -s run -x 160 -y 48 "$cmd"
	tmux -L "$sock" display -p -t run '#{pane_pid}' >"$dir/pid"
	if [ "$client" = irssi ]; then
		for _ in $(seq 1 300); do grep -q '^joined' "$dir/out" && break; sleep 0.1; done
		tmux -L "$sock" send-keys -t run "/window goto #restart" Enter
	fi
	for _ in $(seq 1 400); do grep -q '^restart' "$dir/out" && break; kill -0 "$rb" 2>/dev/null || break; sleep 0.1; done
	sleep 1.5 # the screen while the user is away
	tmux -L "$sock" capture-pane -p -t run >"$dir/screen-restart.txt" 2>/dev/null || true
	wait "$rb" || { echo "$scenario run $i failed:" >&2; cat "$dir/out" "$dir/err" >&2; tmux -L "$sock" kill-server 2>/dev/null || true; return 1; }
	tmux -L "$sock" kill-server 2>/dev/null || true
	if [ "$scenario" = ferry-cluster ]; then
		for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null || true; done
		bgpids=()
	fi
	local res
	res=$(grep '^result ' "$dir/out")
	echo "$scenario run $i: ${res#result }"
	echo "${res#result }" >>"$work/$scenario.results"
}

median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.0f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }

ran=()
for scenario in $SCENARIOS; do
	if [ "$scenario" = ferry-cluster ] && ! has_cluster; then
		echo "ferry-cluster: skipped: ferryd has no cluster mode"
		continue
	fi
	for i in $(seq 1 "$RUNS"); do
		run_one "$scenario" "$i"
	done
	ran+=("$scenario")
done

echo
echo "medians over $RUNS runs (interruption capped at $CAP s):"
printf '%-15s %16s %10s %12s  %s\n' scenario interruption missed typed_lost "seen by the observer (first run)"
for scenario in "${ran[@]}"; do
	f="$work/$scenario.results"
	itr=$(field interruption_ms <"$f" | median)
	if [ "$(awk -v v="$itr" -v c="$CAP" 'BEGIN{print (v >= c*1000)}')" = 1 ]; then
		itr="more than ${CAP} s"
	else
		itr=$(awk -v v="$itr" 'BEGIN{printf "%.2f s", v/1000}')
	fi
	printf '%-15s %16s %10s %12s  %s\n' "$scenario" "$itr" \
		"$(field missed <"$f" | median)/$(field said <"$f" | median)" \
		"$(field typed_lost <"$f" | median)/$(field typed <"$f" | median)" \
		"$(head -1 "$f" | sed 's/.*events=//')"
done
