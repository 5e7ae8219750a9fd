"""Makes foreign.docx here: the python-docx template of tests/fixtures/word
with `OFFICIAL-SENSITIVE` typed in its footer (split over two runs, as Word
often stores typed text), against the spec's `marking = "OFFICIAL"`."""
import zipfile

src = "../../fixtures/word/foreign.docx"
zin = zipfile.ZipFile(src)
out = zipfile.ZipFile("foreign.docx", "w", zipfile.ZIP_DEFLATED)
for info in zin.infolist():
    b = zin.read(info.filename)
    if info.filename == "word/footer1.xml":
        b = b.replace(
            b"<w:t>Made with python-docx</w:t></w:r></w:p>",
            b"<w:t>Made with python-docx</w:t></w:r></w:p>"
            b"<w:p><w:r><w:t>OFFICIAL-</w:t></w:r><w:r><w:t>SENSITIVE</w:t></w:r></w:p>",
        )
    out.writestr(info, b)
out.close()
