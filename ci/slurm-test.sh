#!/bin/bash
# The sharding test on a real Slurm: a 4-task array of the flagship merged by a dependent job
# must equal the single-process run byte for byte; with one shard's state removed, merge must
# name the missing range. Usage: ci/slurm-test.sh BIN REFERENCE.json RUNS
set -euo pipefail
bin=$(realpath "$1"); reference=$2; runs=$3
job=$(realpath -m target/slurm-job)
rm -rf "$job"
ids=$("$bin" slurm simulate frameworks/coalition-2025.toml --tasks 4 --runs "$runs" --cpus 1 --dir "$job")
echo "$ids"
merge=$(echo "$ids" | awk '/^merge /{print $2}')
for _ in $(seq 600); do
  [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h -o %i)" ] || { echo "slurm-test: jobs still queued after 10 minutes" >&2; squeue >&2; exit 1; }
[ -s "$job/result.json" ] || { echo "slurm-test: merge job $merge wrote no result" >&2; cat "$job"/logs/* >&2; exit 1; }
cmp "$job/result.json" "$reference"
echo "slurm-test: 4 Slurm tasks merged = the single-process run, byte for byte"
rm "$job/part-2.bin"
if "$bin" merge "$job"/part-*.bin > /dev/null 2> "$job/missing.txt"; then
  echo "slurm-test: merge accepted a set with a missing shard" >&2; exit 1
fi
grep -q "runs not covered by any shard" "$job/missing.txt" || { cat "$job/missing.txt" >&2; exit 1; }
cat "$job/missing.txt"
