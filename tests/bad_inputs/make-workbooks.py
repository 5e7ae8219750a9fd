# Makes the workbook and Parquet fixtures of the source-kind cases (xlsx-*, parquet-*)
# with openpyxl and pyarrow from PyPI: python3 tests/bad_inputs/make-workbooks.py
import datetime, os, openpyxl, pyarrow as pa, pyarrow.parquet as pq
B = "tests/bad_inputs"
base = open(f"{B}/_base/report.toml").read()
def case(name, comment, path_line, files=()):
    d = f"{B}/{name}"
    os.makedirs(f"{d}/data", exist_ok=True)
    spec = base.replace('path = "data/incidents.csv"', path_line)
    spec = spec.replace("# The base project every bad-input case starts from: it builds cleanly.\n# A case folder overlays its own files (usually a changed copy of this one).\n", comment)
    open(f"{d}/report.toml", "w").write(spec)
    return d

def book(path, sheet, rows):
    wb = openpyxl.Workbook(); ws = wb.active; ws.title = sheet
    for r in rows: ws.append(r)
    wb.save(path)

good = [["date", "district", "category"],
        [datetime.date(2024, 4, 1), "North", "Theft"],
        [datetime.date(2024, 4, 8), "South", "Burglary"]]

d = case("xlsx-wrong-type", "# Cells of the wrong type are named by sheet and cell, all at once.\n# data/incidents.xlsx is made by `tests/bad_inputs/make-workbooks.py` (openpyxl).\n",
         'path = "data/incidents.xlsx"\nsheet = "Incidents"')
book(f"{d}/data/incidents.xlsx", "Incidents", good + [["soon", "North", "Theft"], [datetime.date(2024, 5, 1), 42, "Theft"], [datetime.datetime(2024, 5, 2, 13, 30), "North", None]])

d = case("xlsx-unknown-sheet", "# A sheet the workbook does not have: the error lists the sheets it has.\n",
         'path = "data/incidents.xlsx"\nsheet = "Incident"')
book(f"{d}/data/incidents.xlsx", "Incidents", good)

d = case("xlsx-absurd-dimensions", "# A sheet whose used area is the whole grid fails before any cell is stored.\n",
         'path = "data/incidents.xlsx"')
book(f"{d}/data/incidents.xlsx", "Incidents", good)
wb = openpyxl.load_workbook(f"{d}/data/incidents.xlsx"); wb.active["XFD1048576"] = "x"; wb.save(f"{d}/data/incidents.xlsx")

d = case("parquet-wrong-type", "# A Parquet column of another type than declared, and nulls in a required column.\n",
         'path = "data/incidents.parquet"')
t = pa.table({"date": ["2024-04-01", "2024-04-08"], "district": ["North", None], "category": ["Theft", "Burglary"]})
pq.write_table(t, f"{d}/data/incidents.parquet")

case("glob-matches-nothing", "# A glob that matches no file names the folder it looked in.\n",
     'path = "data/incidents/*.csv"')
case("path-undeclared-data-dir", "# A data folder the spec does not declare: the hint shows how to declare it.\n",
     'path = "@extracts/incidents.csv"')
case("source-unknown-extension", "# A file kind boardpack does not read: the error lists the ones it does.\n",
     'path = "data/incidents.txt"')
