#!/usr/bin/env bash
# Install the Debian packages listed in a file (default: admin/apt-packages.txt) that are missing.
#   bash admin/system-packages.sh                                    the course's packages
#   bash admin/system-packages.sh admin/apt-packages-dev.txt "..."   another list; the second argument
#                                                                    says what is lost without it
# Needs root and apt-get; without them it says what it skips and succeeds anyway:
# the course still works (by default: with fewer fonts, no Fashion-MNIST and no sandbox).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
list="${1:-$here/apt-packages.txt}"
without="${2:-fewer fonts, no Fashion-MNIST, no sandbox}"
if [ ! -f "$list" ]; then
  echo "system packages: no list $list" >&2
  exit 1
fi
name="$(basename "$list")"
mapfile -t wanted < <(grep -v '^\s*#' "$list" | grep -v '^\s*$')
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system packages ($name): no apt-get here; skipping ${missing[*]} ($without)" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system packages ($name): not root; skipping ${missing[*]} ($without)" >&2
  echo "  (as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "system packages ($name): installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log="/tmp/course-apt-${name%.txt}.log"
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  echo "system packages ($name): apt-get failed (see $log); continuing without ${missing[*]} ($without)" >&2
fi
exit 0
