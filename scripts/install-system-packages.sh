#!/usr/bin/env bash
# Installs the Debian packages Rotor's tests and `rotor local` use, if any is missing. Needs root (or sudo).
set -euo pipefail
packages=(postgresql mariadb-server docker-registry skopeo openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${packages[*]})"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system packages: installing ${missing[*]}"
$sudo apt-get update -qq
# The packages' own services are not started: the tests start throwaway servers in temporary folders.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
