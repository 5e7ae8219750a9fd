"""Quarto's route as a lower bound, without the Quarto CLI (which cannot be
installed here): for each output format, as `quarto render` does, the
`.qmd`'s Python cells run in a fresh Jupyter kernel (nbclient + ipykernel),
their Markdown output is stitched into the document, then pandoc converts
it (to Typst, compiled by the `typst` package, and to Word). Quarto itself
adds its own start-up (Deno) and Lua filters on top of this.

    python render.py REPORT.qmd DATA_DIR OUT_DIR
"""

import os
import pathlib
import re
import subprocess
import sys

import nbformat
import pypandoc
import typst
from nbclient import NotebookClient

CELL = re.compile(r"^```\{python\}\n(.*?)^```\n", re.S | re.M)


def notebook(qmd):
    """The .qmd as a notebook: front matter and prose as Markdown cells."""
    cells, at = [], 0
    for m in CELL.finditer(qmd):
        cells.append(nbformat.v4.new_markdown_cell(qmd[at:m.start()]))
        cells.append(nbformat.v4.new_code_cell(m.group(1)))
        at = m.end()
    cells.append(nbformat.v4.new_markdown_cell(qmd[at:]))
    return nbformat.v4.new_notebook(cells=cells)


def markdown(nb):
    """The executed notebook as Markdown (what Quarto hands to pandoc)."""
    parts = []
    for c in nb.cells:
        if c.cell_type == "markdown":
            parts.append(c.source)
            continue
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                sys.exit("\n".join(o["traceback"]))
            data = o.get("data", {})
            parts.append(data.get("text/markdown") or data.get("text/plain", ""))
    return "\n\n".join(parts)


def main():
    qmd, data, out = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    os.environ["BENCH_DATA"] = data
    os.environ["PEER_PYTHON"] = str(pathlib.Path(__file__).parent.parent / "python")
    pandoc = pypandoc.get_pandoc_path()
    for fmt in ("typst", "docx"):
        nb = notebook(qmd.read_text(encoding="utf-8"))
        NotebookClient(nb, kernel_name="python3", timeout=3600).execute()
        md = out / f"report.{fmt}.md"
        md.write_text(markdown(nb), encoding="utf-8")
        target = out / ("report.typ" if fmt == "typst" else "report.docx")
        subprocess.run([pandoc, str(md), "-s", "-t", fmt, "-o", str(target)], check=True)
        if fmt == "typst":
            typst.compile(str(target), output=str(out / "report.pdf"))


if __name__ == "__main__":
    main()
