#!/usr/bin/env bash
# Installs what the test suite needs beyond rustup's toolchain, on Debian 12: the independent implementations sluis is
# checked against (libxml2's xmllint and lxml for canonicalization, xmlsec1 for XML-DSig) and the Python used by the
# interop clients, and redis-server for the shared replay store's tests (each test starts its own on a free port).
# Idempotent: installs only what is missing. Uses sudo when not root.
set -euo pipefail

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
/usr/bin/python3 -c 'import lxml' >/dev/null 2>&1 || need+=(python3-lxml)
/usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v xxd >/dev/null 2>&1 || need+=(xxd)
command -v bc >/dev/null 2>&1 || need+=(bc)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)

if ((${#need[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup-debian: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

rustup component add rustfmt clippy >/dev/null 2>&1 || true
