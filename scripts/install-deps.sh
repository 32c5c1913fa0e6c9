#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the benchmarks need (skips what is there).
set -euo pipefail
packages=(
  cmake make g++ pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev libsqlite3-dev libssl-dev zlib1g-dev libzstd-dev liblz4-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-contrib
  python3 curl wrk
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
