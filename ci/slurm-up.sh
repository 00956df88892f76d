#!/bin/bash
# Starts a single-node Slurm cluster (munged, slurmctld, slurmd) on this machine, as root and
# without systemd, for the sharding test in .ci/run. After ../shared/ops/slurm-single-node.md.
# Usage: ci/slurm-up.sh DIR   (state, spool and logs go to DIR)
set -euo pipefail
D=${1:?usage: ci/slurm-up.sh DIR}
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurmctld slurmd slurm-client munge >/dev/null
fi
[ -s /etc/munge/munge.key ] || { mungekey --create --force; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
install -d -o munge -g munge -m 755 /run/munge
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
munge -n | unmunge >/dev/null
H=$(hostname -s)
NODE=$(slurmd -C | head -1)
rm -rf "$D"; mkdir -p "$D/state" "$D/spool" "$D/log"
chown slurm:slurm "$D/state" "$D/log"
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=ci
SlurmctldHost=${H}(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
${NODE} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=${H} Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld
slurmd
for _ in $(seq 60); do sinfo -h -N -o %t 2>/dev/null | grep -qx idle && break; sleep 0.5; done
sinfo -h -N -o %t | grep -qx idle || { echo "slurm-up: the node did not come up" >&2; cat "$D/log/"*.log >&2; exit 1; }
