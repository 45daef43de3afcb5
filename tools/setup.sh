#!/usr/bin/env bash
# Installs what building and testing aomi-archive needs beyond the Swift toolchain:
# pkg-config, zlib, libdeflate and SQLite headers and the CA trust store (Debian), and warcio (PyPI), the reference WARC reader the tests run.
set -euo pipefail

missing=()
for package in pkg-config zlib1g-dev libdeflate-dev libsqlite3-dev ca-certificates; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if ! python3 -c "import warcio" >/dev/null 2>&1; then
  echo "== pip install warcio"
  python3 -m pip install --quiet --disable-pip-version-check warcio
fi
python3 -c "import warcio" && echo "warcio: ok"
