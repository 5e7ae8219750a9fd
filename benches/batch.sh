#!/usr/bin/env bash
# Six district papers against one: alternating runs of one or more
# boardpack binaries, each building the example once (`--no-cache`) and as
# a batch (`--for-each district --no-cache`); prints each binary's median
# and range of wall and CPU time (user + sys, all threads) and the load.
#
#   benches/batch.sh RUNS NAME=BINARY...   e.g.
#   benches/batch.sh 7 main=/tmp/bp-main this=target/release/boardpack
#
# The issue's target: six papers < 2× one, wall.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
RUNS=${1:?runs}
shift
BENCH_DIR=${BENCH_DIR:-/tmp/boardpack-bench}
DIR=$BENCH_DIR/batch
rm -rf "$DIR" && mkdir -p "$DIR"
cp -r "$REPO/reports" "$REPO/templates" "$REPO/data" "$DIR/"
rm -rf "$DIR/reports/needs-assessment/out"
cd "$DIR"
RAW=$DIR/times.txt
: >"$RAW"
for _ in $(seq "$RUNS"); do
  for pair in "$@"; do
    name=${pair%%=*}
    bin=${pair#*=}
    for papers in 1 6; do
      args=()
      [ "$papers" = 6 ] && args=(--for-each district)
      rm -rf "$DIR/out" "$DIR/out.private"
      /usr/bin/time -o "$DIR/one.txt" -f "%e %U %S" "$bin" build \
        reports/needs-assessment/report.toml "${args[@]}" --no-cache --out "$DIR/out" >/dev/null 2>&1
      echo "$name $papers $(cat "$DIR/one.txt") $(cut -d' ' -f1 /proc/loadavg)" >>"$RAW"
    done
  done
done
python3 - "$RAW" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, papers, wall, user, sys_, load = line.split()
    runs[(name, papers)].append((float(wall), float(user) + float(sys_), float(load)))
for (name, papers), rs in sorted(runs.items()):
    wall, cpu, load = zip(*rs)
    print(f"{name:8} {papers} paper(s): wall {statistics.median(wall):.3f} s "
          f"({min(wall):.2f}-{max(wall):.2f}), cpu {statistics.median(cpu):.3f} s "
          f"({min(cpu):.2f}-{max(cpu):.2f}), load {min(load):.1f}-{max(load):.1f}, {len(rs)} runs")
PY
