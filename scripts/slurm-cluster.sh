#!/usr/bin/env bash
# A real single-node Slurm on loopback for tests and demos (Debian's munge, slurmctld, slurmd, slurm-client).
# Everything lives in one folder of its own: slurm.conf, state, logs, the munge socket, PID files.
#   slurm-cluster.sh start    start munged, slurmctld and slurmd; wait until the node is idle (no-op if running)
#   slurm-cluster.sh stop     cancel all jobs, shut the daemons down by their PIDs, stop munged (safe to repeat)
#   slurm-cluster.sh status   exit 0 and print the node state if the controller answers, else exit 1
#   slurm-cluster.sh env      print `export SLURM_CONF=...` for the shell
# Environment: MDLMA_SLURM_DIR (default /tmp/mdlma-slurm), MDLMA_SLURM_PORT (slurmctld port, default 6817;
# slurmd uses the next one). The daemons run as root (the recipe of REFERENCE.md, "Slurm": no systemd, no cgroups):
# a user with passwordless sudo may call it, and it runs itself through sudo; jobs then run as that user.
set -euo pipefail

if [[ $(id -u) -ne 0 && ${1:-} =~ ^(start|stop)$ ]]; then
  sudo -n true 2>/dev/null || { echo "slurm-cluster: $1 needs root or passwordless sudo (slurmd and munged run as root)" >&2; exit 1; }
  exec sudo -n MDLMA_SLURM_DIR="${MDLMA_SLURM_DIR:-}" MDLMA_SLURM_PORT="${MDLMA_SLURM_PORT:-}" bash "$0" "$@"
fi

DIR=${MDLMA_SLURM_DIR:-/tmp/mdlma-slurm}
PORT=${MDLMA_SLURM_PORT:-6817}
CONF=$DIR/slurm.conf
HOST=$(hostname -s)
export SLURM_CONF=$CONF

die() { echo "slurm-cluster: $*" >&2; exit 1; }

# alive PIDFILE: the PID in PIDFILE names a running process (seen through /proc: kill -0 fails on root's daemons for
# a user who only reads the status).
alive() { [[ -s $1 && -d /proc/$(cat "$1") ]]; }

# stop_pid PIDFILE: TERM, wait up to 5 s, then KILL; removes the PID file.
stop_pid() {
  local file=$1 pid
  if alive "$file"; then
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

controller_up() { alive "$DIR/slurmctld.pid" && timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; }

write_conf() {
  local cpus
  cpus=$(nproc)
  cat >"$CONF" <<EOF
# Written by scripts/slurm-cluster.sh: one node on loopback, root, no accounting daemon.
ClusterName=mdlma
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobcomp.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=2
MinJobAge=600
InactiveLimit=0
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1024 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [[ $(id -u) -eq 0 ]] || die "run as root (slurmd and munged need it)"
  for cmd in munged slurmctld slurmd sbatch scontrol; do
    command -v "$cmd" >/dev/null || die "$cmd not found: apt-get install -y munge slurmctld slurmd slurm-client"
  done
  if controller_up && alive "$DIR/slurmd.pid"; then
    echo "slurm-cluster: already running ($CONF)"
    return 0
  fi
  stop >/dev/null 2>&1 || true
  # A fresh state folder and completion log: job ids restart at 1.
  rm -rf "$DIR"
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
  chmod 755 "$DIR"
  runuser -u munge -- test -x "$DIR" ||
    die "the munge user cannot reach $DIR: choose a folder whose parents others may enter (e.g. under /tmp)"
  write_conf
  # munged with a key and socket of its own, as the munge user.
  dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1 count=128 status=none
  chown -R munge:munge "$DIR/munge"
  chmod 700 "$DIR/munge" && chmod 600 "$DIR/munge/munge.key"
  chmod 755 "$DIR/munge"
  runuser -u munge -- munged --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed" \
    || die "munged did not start (see $DIR/munge/munged.log)"
  slurmctld -i -f "$CONF" || die "slurmctld did not start (see $DIR/slurmctld.log)"
  slurmd -f "$CONF" -N "$HOST" || die "slurmd did not start (see $DIR/slurmd.log)"
  for _ in $(seq 150); do
    if timeout 5 sinfo -h -N -o '%T' 2>/dev/null | grep -qx 'idle'; then
      echo "slurm-cluster: node $HOST idle; export SLURM_CONF=$CONF"
      return 0
    fi
    sleep 0.2
  done
  die "the node did not become idle within 30 s (see $DIR/slurmctld.log and $DIR/slurmd.log)"
}

stop() {
  [[ -d $DIR ]] || { echo "slurm-cluster: not running"; return 0; }
  if controller_up; then
    # Every job of the partition, whoever submitted it (root may cancel them all).
    timeout 10 scancel --quiet --partition debug 2>/dev/null || true
    timeout 10 scontrol shutdown 2>/dev/null || true
    for _ in $(seq 50); do
      alive "$DIR/slurmctld.pid" || alive "$DIR/slurmd.pid" || break
      sleep 0.1
    done
  fi
  stop_pid "$DIR/slurmd.pid"
  stop_pid "$DIR/slurmctld.pid"
  stop_pid "$DIR/munge/munged.pid"
  echo "slurm-cluster: stopped"
}

status() {
  if controller_up; then
    echo "slurm-cluster: up ($CONF); node $(sinfo -h -N -o '%N %T' 2>/dev/null)"
  else
    echo "slurm-cluster: down"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
