#!/usr/bin/env bash
# Install the Debian packages in admin/apt-packages.txt that are missing.
# Needs root and apt-get; without them it says what it skips and succeeds anyway:
# the course still works, with fewer fonts, no Fashion-MNIST and no sandbox.
set -uo pipefail
cd "$(dirname "$0")"
mapfile -t wanted < <(grep -v '^\s*#' apt-packages.txt | grep -v '^\s*$')
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system packages: no apt-get here; skipping ${missing[*]} (fewer fonts, no Fashion-MNIST, no sandbox)" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system packages: not root; skipping ${missing[*]}" >&2
  echo "  (as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "system packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/course-apt.log 2>&1; then
  echo "system packages: apt-get failed (see /tmp/course-apt.log); continuing without ${missing[*]}" >&2
fi
exit 0
