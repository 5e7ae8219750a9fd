#!/usr/bin/env bash
# The side-by-side benchmark (not a test): boardpack against the Python
# pipeline an analyst would write (peers/python), Quarto's route as a
# lower bound (peers/quarto) and bare Polars (polars_direct.rs: Polars'
# own CSV read of the same files, then the same queries for both periods,
# no checks, no documents), on the same generated data, at several sizes.
#
#   benches/run.sh [RUNS] [SIZES...]      e.g. benches/run.sh 5 36845 368450
#
# Defaults: 5 alternating runs; 1x, 10x and 30x the 36,845-row extract and
# 10,000,000 rows. Prints a Markdown table of medians (wall, user+sys CPU,
# peak RSS) and the ratios Python/boardpack and Quarto/boardpack; raw
# timings go to $BENCH_DIR/times.tsv, the load average before and after to
# $BENCH_DIR/load.txt (the machine may be shared: the runs alternate so
# load hits every tool alike). Needs: a release build
# (`cargo build --release --bin boardpack --example make-data` and
# `cargo bench --bench polars_direct --no-run`), python3,
# /usr/bin/time. The peers' packages are installed from PyPI into a venv
# ($BENCH_VENV, default $BENCH_DIR/venv) with pinned versions.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
RUNS=${1:-5}
shift || true
SIZES=("${@:-36845 368450 1105350 10000000}")
read -r -a SIZES <<<"${SIZES[*]}"
BENCH_DIR=${BENCH_DIR:-/tmp/boardpack-bench}
BENCH_VENV=${BENCH_VENV:-$BENCH_DIR/venv}
TARGET=${CARGO_TARGET_DIR:-$REPO/target}/release
BOARDPACK=${BOARDPACK:-$TARGET/boardpack}
MAKE_DATA=${MAKE_DATA:-$TARGET/examples/make-data}
# The newest polars_direct bench binary (set POLARS_DIRECT to choose one).
POLARS_DIRECT=${POLARS_DIRECT:-$(ls -t "$TARGET"/deps/polars_direct-* 2>/dev/null | grep -v '\.d$' | head -n 1 || true)}
if [ ! -x "${POLARS_DIRECT:-}" ]; then
  echo "no polars_direct binary: run cargo bench --bench polars_direct --no-run" >&2
  exit 1
fi
# 10M rows: fewer runs (each takes a while on a shared machine).
BIG_RUNS=${BIG_RUNS:-3}

mkdir -p "$BENCH_DIR"
if [ ! -x "$BENCH_VENV/bin/python" ]; then
  python3 -m venv "$BENCH_VENV"
  "$BENCH_VENV/bin/pip" install -q -r "$HERE/peers/requirements.txt"
fi
PY=$BENCH_VENV/bin/python

# One project per size: the example's spec, content and layout, and data
# generated at that size (deterministic).
project() {
  local rows=$1 dir=$BENCH_DIR/rows-$1
  if [ ! -e "$dir/data/.done" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    "$MAKE_DATA" "$dir/data" --victims-rows "$rows" >/dev/null
    touch "$dir/data/.done"
  fi
  # The spec and layout as they are now (the data is kept between runs).
  rm -rf "$dir/reports" "$dir/templates"
  cp -r "$REPO/reports" "$REPO/templates" "$dir/"
  echo "$dir"
}

# Runs a command under /usr/bin/time; appends "tool rows wall cpu rss_kb".
measure() {
  local tool=$1 rows=$2; shift 2
  local t=$BENCH_DIR/time.txt
  if ! /usr/bin/time -f "%e %U %S %M" -o "$t" "$@" >"$BENCH_DIR/last.log" 2>&1; then
    echo "$tool at $rows rows failed:" >&2; cat "$BENCH_DIR/last.log" >&2; exit 1
  fi
  read -r wall user sys rss <"$t"
  printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$rows" "$wall" \
    "$(echo "$user + $sys" | bc)" "$rss" >>"$BENCH_DIR/times.tsv"
}

: >"$BENCH_DIR/times.tsv"
echo "before: $(cat /proc/loadavg)" >"$BENCH_DIR/load.txt"
for rows in "${SIZES[@]}"; do
  dir=$(project "$rows")
  n=$RUNS; [ "$rows" -ge 5000000 ] && n=$BIG_RUNS
  # A warm-up of each (page cache, Python bytecode), not recorded; it also
  # fills boardpack's build cache for the `boardpack-cached` runs.
  "$BOARDPACK" build "$dir/reports/needs-assessment/report.toml" --out "$dir/out-boardpack" >/dev/null
  # Alternating runs: load from other engineers' builds hits all three alike.
  # `boardpack` is a first build of new data (`--no-cache`: every file
  # parsed and checked, as the peers do); `boardpack-cached` rebuilds the
  # same data (parsed frames and the PDF reused; every file still hashed).
  for ((i = 0; i < n; i++)); do
    measure boardpack "$rows" "$BOARDPACK" build "$dir/reports/needs-assessment/report.toml" --out "$dir/out-boardpack" --no-cache
    measure boardpack-cached "$rows" "$BOARDPACK" build "$dir/reports/needs-assessment/report.toml" --out "$dir/out-boardpack"
    measure python "$rows" "$PY" "$HERE/peers/python/report.py" "$dir/data" "$dir/out-python"
    measure quarto "$rows" "$PY" "$HERE/peers/quarto/render.py" "$HERE/peers/quarto/report.qmd" "$dir/data" "$dir/out-quarto"
    measure polars-direct "$rows" "$POLARS_DIRECT" "$dir/data" --eager-only
  done
done
echo "after: $(cat /proc/loadavg)" >>"$BENCH_DIR/load.txt"
cat "$BENCH_DIR/load.txt" >&2
python3 "$HERE/summarize.py" "$BENCH_DIR/times.tsv"
