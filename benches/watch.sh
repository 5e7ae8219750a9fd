#!/usr/bin/env bash
# How long `boardpack watch` takes to rebuild after a prose edit (a change
# to a content .md file only): the issue's target is ≤ 150 ms wall.
#
#   benches/watch.sh [EDITS]        e.g. benches/watch.sh 10
#
# Copies the example project to $BENCH_DIR/watch, starts `boardpack watch`
# on it with `BOARDPACK_TIMINGS=1` (as `--timings`), then EDITS times appends a sentence to
# `reports/needs-assessment/paper.md` and waits for the rebuild. Prints each
# rebuild's "built in N ms" (the rebuild itself, from reading the spec to
# the written output set) and the median; the per-stage timings of every
# rebuild go to $BENCH_DIR/watch/timings.log. Needs a release build
# (`cargo build --release --bin boardpack`).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
EDITS=${1:-10}
BENCH_DIR=${BENCH_DIR:-/tmp/boardpack-bench}
BOARDPACK=${BOARDPACK:-${CARGO_TARGET_DIR:-$REPO/target}/release/boardpack}
DIR=$BENCH_DIR/watch

rm -rf "$DIR" && mkdir -p "$DIR"
cp -r "$REPO/reports" "$REPO/templates" "$REPO/data" "$DIR/"
rm -rf "$DIR/reports/needs-assessment/out"
cd "$DIR"
BOARDPACK_TIMINGS=1 "$BOARDPACK" watch reports/needs-assessment/report.toml >log.txt 2>timings.log &
WATCH=$!
trap 'kill "$WATCH" 2>/dev/null || true' EXIT

# Waits until log.txt has $1 "built in" lines.
wait_built() {
  for _ in $(seq 1 600); do
    [ "$(grep -c 'built in' log.txt || true)" -ge "$1" ] && return 0
    sleep 0.05
  done
  echo "no rebuild after 30 s:" >&2; cat log.txt >&2; exit 1
}

wait_built 1
for i in $(seq 1 "$EDITS"); do
  sleep 0.5
  printf '\nAnother sentence of prose, edit %s.\n' "$i" >>reports/needs-assessment/paper.md
  wait_built $((i + 1))
done
grep 'built in' log.txt | tail -n +2 | sed 's/.*built in \([0-9]*\) ms.*/\1/' >rebuilds.txt
echo "rebuilds after a prose edit (ms): $(tr '\n' ' ' <rebuilds.txt)"
python3 -c 'import statistics,sys; v=[int(x) for x in open(sys.argv[1])]; print(f"median {statistics.median(v):.0f} ms, min {min(v)}, max {max(v)} over {len(v)} edits")' rebuilds.txt
echo "load average: $(cat /proc/loadavg)"
