#!/bin/bash
# Stops the cluster that ci/slurm-up.sh started.
scontrol shutdown >/dev/null 2>&1 || true
sleep 2
[ -s /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
