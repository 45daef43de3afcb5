#!/usr/bin/env bash
# Installs what building and testing aomi-archive needs beyond the Swift toolchain:
# pkg-config, zlib, libdeflate, SQLite and libpq headers, the CA trust store, the PostgreSQL server (its tests start
# throwaway clusters) and headless Chromium with its driver (Debian),
# warcio (PyPI), the reference WARC reader the tests run, prometheus_client (PyPI), whose parser reads every /metrics the tests scrape, selenium (PyPI), which drives Chromium through the archive browser,
# pywb (PyPI, in a venv of its own: AOMI_PYWB_VENV, default ~/.cache/aomi-archive-pywb), the reference WARC replay,
# and Ceph's monitor, OSD and RADOS Gateway (Debian), the S3 store the object-store tests start.
set -euo pipefail

missing=()
for package in pkg-config zlib1g-dev libdeflate-dev libsqlite3-dev libpq-dev postgresql ca-certificates chromium chromium-driver python3-venv; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# A single-node Ceph and its RADOS Gateway: the S3 store the object-store tests start.
ceph_missing=()
for package in ceph-mon ceph-osd radosgw ceph-common; do
  dpkg -s "$package" >/dev/null 2>&1 || ceph_missing+=("$package")
done
if [ ${#ceph_missing[@]} -gt 0 ]; then
  echo "== apt-get install --no-install-recommends ${ceph_missing[*]}"
  [ ${#missing[@]} -gt 0 ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${ceph_missing[@]}"
fi

if ! python3 -c "import warcio" >/dev/null 2>&1; then
  echo "== pip install warcio"
  python3 -m pip install --quiet --disable-pip-version-check warcio
fi
python3 -c "import warcio" && echo "warcio: ok"

if ! python3 -c "import prometheus_client" >/dev/null 2>&1; then
  echo "== pip install prometheus_client"
  python3 -m pip install --quiet --disable-pip-version-check prometheus_client
fi
python3 -c "import prometheus_client" && echo "prometheus_client: ok"

if ! python3 -c "import selenium" >/dev/null 2>&1; then
  echo "== pip install selenium"
  python3 -m pip install --quiet --disable-pip-version-check selenium
fi
python3 -c "import selenium" && echo "selenium: ok"
chromium --version 2>/dev/null | head -1

pywb_venv=${AOMI_PYWB_VENV:-$HOME/.cache/aomi-archive-pywb}
if [ ! -x "$pywb_venv/bin/wayback" ]; then
  echo "== pip install pywb (venv $pywb_venv)"
  python3 -m venv "$pywb_venv"
  "$pywb_venv/bin/pip" install --quiet --disable-pip-version-check pywb
fi
"$pywb_venv/bin/wayback" --version 2>/dev/null | head -1
