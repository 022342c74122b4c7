# make-traces-apps.sh: scenarios of make-traces.sh (which sources this
# file) for the services datacenters keep open: brokers, databases,
# directory, monitoring, voice and time protocols, each from its real
# Debian implementation, held open with its natural keepalive; and the
# covert-channel positives of issue 11 (ICMP text exfiltration, a TLS
# beacon to a rare destination, an idle autossh tunnel with a check-in).
#
# Subnets 10.20.150-199.0/24.  The benign ones must leave every host clean;
# the long ones (APP_LONG_SECONDS, default 660 s) outlast the default
# long-lived threshold (600 s), the short ones are checked with
# tests/traces/short_thresholds.cfg.

# name k summary
SCENARIOS+=(
	"benign_postgres_longlived 150 psql keeps one PostgreSQL session open >600 s, SELECT every 30 s"
	"benign_mqtt_longlived 151 mosquitto_sub held >600 s with MQTT keepalive 30 s; mosquitto_pub every ~30 s"
	"benign_nats_longlived 152 a NATS client held >600 s: PUB every 20 s, the server's PING every 2 min"
)

# Commands the scenarios need -> Debian package (merged by ensure_packages).
declare -A APP_NEED=(
	[initdb]=postgresql [psql]=postgresql-client
	[mosquitto]=mosquitto [mosquitto_sub]=mosquitto-clients
	[nats-server]=nats-server
)

# PostgreSQL's binaries are not on PATH.
pg_bin()
{
	local d

	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	command -v "$1"
}

# Seconds a long scenario holds its connection: past the 600 s default.
app_long_seconds()
{
	echo "${APP_LONG_SECONDS:-660}"
}

# Runs COMMAND... in the inside namespace every PERIOD_MS +-JITTER_MS
# (fixed seed SEED), COUNT times, in the foreground.
app_every()
{
	local count=$1 period=$2 jitter=$3 seed=$4 i
	shift 4

	RANDOM=$seed
	for ((i = 1; i <= count; i++)); do
		ip netns exec "$in" "$@" >/dev/null 2>&1 ||
			log "$name: round $i of '$1' failed"
		sleep_ms_between $((period - jitter)) $((period + jitter))
	done
}

# Prints a line every PERIOD seconds, COUNT times: a client's stdin.
app_lines()
{
	local count=$1 period=$2 line=$3 i

	for ((i = 1; i <= count; i++)); do
		printf '%s\n' "$line"
		sleep "$period"
	done
}

# Checks that a TCP connection to PORT is still established in the inside
# namespace (the long scenarios must stop the capture while it is open).
app_still_open()
{
	ip netns exec "$in" ss -tn state established | grep -q ":$1\b" ||
		die "$name: connection to :$1 is not established any more"
}

# ------------------------------------------------------------ PostgreSQL

scenario_benign_postgres_longlived()
{
	local seconds
	seconds=$(app_long_seconds)
	record "$1" "$2" "$SNAP_HEADERS" postgres_servers postgres_traffic
}

postgres_servers()
{
	local data="$WORK_DIR/$name.pg"

	# the postgres user must reach its data directory under WORK_DIR
	chmod 711 "$WORK_DIR"
	install -d -o postgres -g postgres -m 700 "$data"
	runuser -u postgres -- "$(pg_bin initdb)" -D "$data" -A trust \
		-U postgres >"$WORK_DIR/$name.initdb.log" 2>&1 ||
		die "$name: initdb failed"
	echo "host all all 10.20.$k.0/24 trust" >>"$data/pg_hba.conf"
	ip netns exec "$out" runuser -u postgres -- "$(pg_bin postgres)" \
		-D "$data" -h "10.20.$k.1" -k "$data" \
		>"$WORK_DIR/$name.postgres.log" 2>&1 &
	for i in $(seq 1 100); do
		ip netns exec "$out" "$(pg_bin pg_isready)" -q -h "10.20.$k.1" &&
			return 0
		sleep 0.2
	done
	die "$name: postgres did not start"
}

postgres_traffic()
{
	local rounds=$((seconds / 30 + 2))

	log "$name: psql 10.20.$k.2 -> 10.20.$k.1:5432, SELECT every 30 s, ${seconds}s"
	app_lines "$rounds" 30 "SELECT now(), count(*) FROM pg_stat_activity;" |
		ip netns exec "$in" psql -h "10.20.$k.1" -U postgres -d postgres \
			-X -q >/dev/null 2>&1 &
	sleep "$seconds"
	app_still_open 5432
}

# ----------------------------------------------------------------- MQTT

scenario_benign_mqtt_longlived()
{
	local seconds
	seconds=$(app_long_seconds)
	record "$1" "$2" "$SNAP_HEADERS" mqtt_servers mqtt_traffic
}

mqtt_servers()
{
	cat >"$WORK_DIR/$name.mosquitto.conf" <<-EOF
	listener 1883 10.20.$k.1
	allow_anonymous true
	persistence false
	log_dest stderr
	EOF
	ip netns exec "$out" mosquitto -c "$WORK_DIR/$name.mosquitto.conf" \
		>"$WORK_DIR/$name.mosquitto.log" 2>&1 &
	sleep 1
}

mqtt_traffic()
{
	log "$name: mosquitto_sub -k 30 held ${seconds}s, mosquitto_pub every ~30 s"
	ip netns exec "$in" mosquitto_sub -h "10.20.$k.1" -i tw-dashboard \
		-k 30 -t 'plant/+/temperature' >/dev/null 2>&1 &
	sleep 2
	# a sensor publishing its reading, a new connection each time
	app_every $((seconds / 30)) 30000 3000 1511 \
		mosquitto_pub -h "10.20.$k.1" -i tw-sensor-7 -q 1 \
		-t plant/line7/temperature -m '21.4'
	app_still_open 1883
}

# ----------------------------------------------------------------- NATS

scenario_benign_nats_longlived()
{
	local seconds
	seconds=$(app_long_seconds)
	record "$1" "$2" "$SNAP_HEADERS" nats_servers nats_traffic
}

nats_servers()
{
	ip netns exec "$out" nats-server -a "10.20.$k.1" -p 4222 \
		>"$WORK_DIR/$name.nats.log" 2>&1 &
	sleep 1
}

# A minimal NATS client as the client libraries behave: CONNECT, SUB, a
# PUB every 20 s, PONG to the server's PING (every 2 min by default).
nats_client_py()
{
	cat <<-'EOF'
	import socket, sys, time, select
	host, seconds = sys.argv[1], float(sys.argv[2])
	s = socket.create_connection((host, 4222))
	s.recv(4096)  # INFO
	s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"tls_required":false,'
	          b'"name":"tw-metrics","lang":"python3","version":"2.6.0",'
	          b'"protocol":1,"echo":true,"headers":true,"no_responders":true}\r\n'
	          b'PING\r\n')
	s.sendall(b'SUB metrics.> 1\r\n')
	end = time.time() + seconds
	next_pub = time.time() + 20
	n = 0
	while time.time() < end:
	    r, _, _ = select.select([s], [], [], 1.0)
	    if r:
	        data = s.recv(4096)
	        if not data:
	            break
	        if b'PING\r\n' in data:
	            s.sendall(b'PONG\r\n')
	    if time.time() >= next_pub:
	        n += 1
	        msg = b'{"host":"db7","load":0.%d}' % (n % 10)
	        s.sendall(b'PUB metrics.db7 %d\r\n%s\r\n' % (len(msg), msg))
	        next_pub += 20
	time.sleep(3600)
	EOF
}

nats_traffic()
{
	nats_client_py >"$WORK_DIR/$name.client.py"
	log "$name: NATS client 10.20.$k.2 -> 10.20.$k.1:4222, ${seconds}s"
	ip netns exec "$in" "$(python_bin)" "$WORK_DIR/$name.client.py" \
		"10.20.$k.1" "$seconds" >/dev/null 2>&1 &
	sleep "$seconds"
	app_still_open 4222
}
