#!/usr/bin/env bash
# Sets up the OOXML validator used by the Word backend's tests.
#
# Idempotent: creates a Python venv (at $BOARDPACK_OOXML_VENV, default
# $HOME/.cache/boardpack/ooxml-venv) holding a pinned openxml-audit, a pure
# Python port of the Open XML SDK validator, and prints the path of its
# `openxml-audit` command on stdout (everything else goes to stderr), so CI
# can do: export BOARDPACK_OOXML_VALIDATOR="$(bash .ci/ooxml-venv.sh)"
set -euo pipefail

# Pinned, with its whole dependency tree, so a new release cannot turn CI red
# (or green) by itself; bump deliberately.
PINS=(
  "openxml-audit==0.8.0"
  "click==8.5.1"
  "lxml==6.1.3"
  "markdown-it-py==4.3.0"
  "mdurl==0.1.2"
  "Pygments==2.21.0"
  "rich==15.0.0"
)

venv="${BOARDPACK_OOXML_VENV:-$HOME/.cache/boardpack/ooxml-venv}"
validator="$venv/bin/openxml-audit"
# Records what was installed: a changed pin list reinstalls, an unchanged one
# makes a second run a no-op.
stamp="$venv/.boardpack-pins"
wanted="$(printf '%s\n' "${PINS[@]}")"

if [[ ! -x "$venv/bin/python" ]]; then
  echo "creating venv at $venv" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2
fi

if [[ ! -x "$validator" || "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
  echo "installing ${PINS[0]} into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "${PINS[@]}" >&2
  printf '%s\n' "$wanted" >"$stamp"
fi

# Fail here, not later in a test, if the install did not produce the command.
"$validator" --help >/dev/null
echo "$validator"
