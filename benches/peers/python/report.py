"""The Python pipeline an analyst would write instead of boardpack:
Polars for the figures, Jinja2 → Typst (the `typst` package) for the PDF,
python-docx for the Word summary.

    python report.py DATA_DIR OUT_DIR
"""

import pathlib
import sys

import jinja2
import typst
from docx import Document

from figures import cell, compute

HERE = pathlib.Path(__file__).parent


def typst_escape(text):
    """Text safe inside Typst content brackets."""
    return "".join("\\" + c if c in "\\[]#*_$@<>`~" else c for c in text)


def pdf(figures, tables, out):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), undefined=jinja2.StrictUndefined)
    env.filters["cell"] = cell
    env.filters["typst"] = typst_escape
    source = env.get_template("paper.typ.j2").render(period="2019/20", f=figures, tables=tables)
    main = out / "paper.typ"
    main.write_text(source, encoding="utf-8")
    typst.compile(str(main), output=str(out / "paper.pdf"))


def docx(figures, tables, out):
    doc = Document()
    doc.add_heading("Needs Assessment 2019/20: Executive Summary", 0)
    doc.add_paragraph(
        f"In 2019/20, {cell(figures['victims_resident'])} victims resident in the county were "
        f"recorded by the police; the true number is more like "
        f"{cell(int(round(figures['victims_estimate'], -3)))}. "
        f"{100 * figures['domestic_abuse_share']:.1f}% experienced a domestic abuse-related offence.")
    for name, t in tables.items():
        doc.add_heading(name.replace("_", " ").capitalize(), 1)
        table = doc.add_table(rows=1, cols=t.width)
        for c, name in zip(table.rows[0].cells, t.columns):
            c.text = name.replace("_", " ")
        for row in t.iter_rows():
            for c, v in zip(table.add_row().cells, row):
                c.text = cell(v)
    doc.save(out / "summary.docx")


def main():
    data, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    figures, tables = compute(data, 2019)
    pdf(figures, tables, out)
    docx(figures, tables, out)


if __name__ == "__main__":
    main()
