"""Medians of benches/run.sh's raw timings as a Markdown table.

    python3 summarize.py times.tsv
"""

import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1], encoding="utf-8"):
    tool, rows, wall, cpu, rss = line.split("\t")
    runs[(int(rows), tool)].append((float(wall), float(cpu), int(rss) / 1024))


def med(rows, tool, i):
    return statistics.median(r[i] for r in runs[(rows, tool)])


print("| rows | tool | runs | wall s | CPU s (user+sys) | peak RSS MB | wall ratio to boardpack | CPU ratio |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for rows in sorted({r for r, _ in runs}):
    base_wall, base_cpu = med(rows, "boardpack", 0), med(rows, "boardpack", 1)
    for tool in ("boardpack", "boardpack-cached", "python", "quarto", "polars-direct"):
        if (rows, tool) not in runs:
            continue
        wall, cpu, rss = (med(rows, tool, i) for i in range(3))
        print(f"| {rows:,} | {tool} | {len(runs[(rows, tool)])} | {wall:.3f} | {cpu:.3f} | {rss:.0f} "
              f"| {wall / base_wall:.2f}× | {cpu / base_cpu:.2f}× |")
