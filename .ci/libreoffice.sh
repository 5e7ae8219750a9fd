#!/usr/bin/env bash
# Installs LibreOffice Writer (headless) and pdftotext for the Word round-trip
# test (tests/testsuite/word.rs: the .docx must open in LibreOffice with its
# header and footer on every page). Idempotent; measured on Debian 12:
# 49 s and about 200 MB for libreoffice-writer-nogui without recommends.
# Without root or apt-get it prints why; the Word and redline tests then
# fail, saying to run this script (they never skip).
set -euo pipefail

if command -v soffice >/dev/null && command -v pdftotext >/dev/null; then
  exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "LibreOffice not installed and cannot install it here (needs root and apt-get): the Word and redline tests will fail until it is" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils >&2
