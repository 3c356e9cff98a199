#!/usr/bin/env bash
# Several app processes behind nginx, on this machine (see docs/deploiement.md).
#
#   deploy/serve.sh [PROCESSUS=2] [PORT=8080]
#
# Starts PROCESSUS `streamlit run app.py` on 127.0.0.1:8501, 8502... (BASE_PORT to change)
# and nginx on 127.0.0.1:PORT (LISTEN=0.0.0.0:80 to open it), all reading the same
# warehouse link; the static fiches of SITE_DIR (default: site/, built by
# `python -m components.exports site --out site`) are served at /fiches/.
# Ctrl-C or SIGTERM stops everything this script started, by PID.
# The PIDs are in $RUN_DIR/app.pids and $RUN_DIR/nginx.pid (RUN_DIR is printed).
set -euo pipefail

N=${1:-2}
PORT=${2:-8080}
BASE_PORT=${BASE_PORT:-8501}
LISTEN=${LISTEN:-127.0.0.1:$PORT}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
NGINX=${NGINX:-/usr/sbin/nginx}
RUN_DIR=${RUN_DIR:-$(mktemp -d /tmp/chiffres-clefs-serve.XXXXXX)}
# the link, not its target: a rebuild swaps the link atomically and every process follows it
WAREHOUSE=${CHIFFRES_CLEFS_WAREHOUSE:-$ROOT/datasets/warehouse}
SITE_DIR=$(realpath -m "${SITE_DIR:-$ROOT/site}")

die() { echo "serve.sh : $*" >&2; exit 2; }
[[ $N =~ ^[1-8]$ ]] || die "nombre de processus entre 1 et 8 (reçu : $N)"
[[ -x $NGINX ]] || die "nginx introuvable ($NGINX) : apt-get install -y nginx"
[[ -x $PY ]] || die "python introuvable ($PY) : make install"
[[ -f $WAREHOUSE/build.json ]] || die "entrepôt absent ($WAREHOUSE) : python -m etl build"

mkdir -p "$RUN_DIR/tmp"
chmod 1777 "$RUN_DIR/tmp"  # nginx workers run as an unprivileged user
: > "$RUN_DIR/app.pids"

stop() {
    trap - EXIT INT TERM
    if [[ -f $RUN_DIR/nginx.pid ]]; then
        kill -QUIT "$(cat "$RUN_DIR/nginx.pid")" 2>/dev/null || true
    fi
    while read -r pid; do
        kill "$pid" 2>/dev/null || true
    done < "$RUN_DIR/app.pids"
    while read -r pid; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done < "$RUN_DIR/app.pids"
    echo "serve.sh : arrêté ($RUN_DIR)"
}
trap stop EXIT
trap 'stop; exit 0' INT TERM

# memory settings shared with `make run` and loadtest/server.py (deploy/server.env);
# a variable already set in the environment wins
while IFS='=' read -r key value || [[ -n $key ]]; do
    [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    [[ -n ${!key+x} ]] || export "$key=$value"
done < "$ROOT/deploy/server.env"

# one secret for all processes, so that a cookie signed by one is valid for the others
export STREAMLIT_SERVER_COOKIE_SECRET=${STREAMLIT_SERVER_COOKIE_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export CHIFFRES_CLEFS_WAREHOUSE=$WAREHOUSE

UPSTREAMS=""
for ((i = 0; i < N; i++)); do
    port=$((BASE_PORT + i))
    (cd "$ROOT" && exec "$PY" deploy/streamlit_run.py app.py --server.port "$port" --server.address 127.0.0.1 \
        --server.headless true --browser.gatherUsageStats false --server.fileWatcherType none) \
        > "$RUN_DIR/app-$port.log" 2>&1 &
    echo $! >> "$RUN_DIR/app.pids"
    UPSTREAMS+="        server 127.0.0.1:$port max_fails=3 fail_timeout=10s;"$'\n'
done

for ((i = 0; i < N; i++)); do
    port=$((BASE_PORT + i))
    for _ in $(seq 240); do
        if [[ $(curl -fsS "http://127.0.0.1:$port/_stcore/health" 2>/dev/null) == ok ]]; then break; fi
        sleep 0.5
    done
    [[ $(curl -fsS "http://127.0.0.1:$port/_stcore/health" 2>/dev/null) == ok ]] || die "le processus du port $port ne répond pas (journal : $RUN_DIR/app-$port.log)"
done

# one visit of the home page per process (Streamlit's first-session quirk, warm caches)
for ((i = 0; i < N; i++)); do
    (cd "$ROOT" && "$PY" -m loadtest.warmup "http://127.0.0.1:$((BASE_PORT + i))") \
        || echo "serve.sh : préchauffage du port $((BASE_PORT + i)) impossible" >&2
done

[[ -f $SITE_DIR/index.html ]] || echo "serve.sh : pas de fiches statiques dans $SITE_DIR (python -m components.exports site --out $SITE_DIR) : /fiches/ répondra 404" >&2
sed -e "s#@RUN@#$RUN_DIR#g" -e "s#@LISTEN@#$LISTEN#g" -e "s#@SITE@#$SITE_DIR#g" "$ROOT/deploy/nginx.conf.template" \
    | UPS="$UPSTREAMS" awk '{ if ($0 == "@UPSTREAMS@") printf "%s", ENVIRON["UPS"]; else print }' > "$RUN_DIR/nginx.conf"
"$NGINX" -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf"

echo "serve.sh : http://$LISTEN -> $N processus ($(tr '\n' ' ' < "$RUN_DIR/app.pids")), dossier $RUN_DIR"
echo "$RUN_DIR" > "$RUN_DIR/ready"
# stay in the foreground until Ctrl-C / SIGTERM; stop if an app process dies
while true; do
    while read -r pid; do
        kill -0 "$pid" 2>/dev/null || { echo "serve.sh : le processus $pid s'est arrêté" >&2; exit 1; }
    done < "$RUN_DIR/app.pids"
    sleep 2
done
