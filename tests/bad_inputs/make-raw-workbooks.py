#!/usr/bin/env python3
"""Writes the xlsx-* cases whose workbooks no spreadsheet program would
write (issue 22): the XML is written by hand with zipfile, so a row can be
listed twice or out of order, the shared-string table can outgrow the
cells, and a sheet can hold more cells than it declares (none).

Run from tests/bad_inputs: python3 make-raw-workbooks.py"""
import os
import zipfile

BASE = open("_base/report.toml").read()
HEADER = "# The base project every bad-input case starts from: it builds cleanly.\n# A case folder overlays its own files (usually a changed copy of this one).\n"

PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Incidents" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
}


def text(ref, value):
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def row(n, date_serial=45383):
    """Row n: a date (Excel serial), a district and a category."""
    return (f'<row r="{n}"><c r="A{n}"><v>{date_serial}</v></c>'
            + text(f"B{n}", "North") + text(f"C{n}", "Theft") + "</row>")


def sheet(rows):
    head = '<row r="1">' + text("A1", "date") + text("B1", "district") + text("C1", "category") + "</row>"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + head + "".join(rows) + "</sheetData></worksheet>")


def shared(n):
    items = "".join(f"<si><t>s{i}</t></si>" for i in range(n))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{items}</sst>')


def case(name, comment, rows, strings=1, limits=""):
    os.makedirs(f"{name}/data", exist_ok=True)
    with zipfile.ZipFile(f"{name}/data/incidents.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for part, xml in PARTS.items():
            z.writestr(zipfile.ZipInfo(part, (2020, 1, 1, 0, 0, 0)), xml)
        z.writestr(zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2020, 1, 1, 0, 0, 0)), sheet(rows))
        z.writestr(zipfile.ZipInfo("xl/sharedStrings.xml", (2020, 1, 1, 0, 0, 0)), shared(strings))
    spec = BASE.replace(HEADER, comment + ("[limits]\n" + limits + "\n" if limits else ""))
    spec = spec.replace('path = "data/incidents.csv"', 'path = "data/incidents.xlsx"\nsheet = "Incidents"')
    with open(f"{name}/report.toml", "w") as f:
        f.write(spec)


case("xlsx-row-listed-twice",
     "# A sheet listing row 3 twice: its cells would be counted twice.\n",
     [row(2), row(3), row(3), row(4)])
case("xlsx-rows-out-of-order",
     "# A sheet listing row 4 before row 3.\n",
     [row(2), row(4), row(3)])
case("xlsx-cells-over-limit-undeclared",
     "# A sheet with no declared size (no <dimension>) holding more cells than\n# `sheet_cells`: counted as it is read.\n",
     [row(n) for n in range(2, 12)], limits="sheet_cells = 20\n")
case("xlsx-shared-strings-over-limit",
     "# A shared-string table with more entries than `sheet_cells` cells:\n# refused before it is read into memory.\n",
     [row(2)], strings=60, limits="sheet_cells = 50\n")
