#!/usr/bin/env bash
# Make the Dockerfile's base image (its first FROM, debian:bookworm-slim) locally from Debian's archive,
# for a machine that cannot pull it from a registry; do nothing when podman already has it.
#   bash admin/container/base-image.sh [TAG]        (PODMAN_OPTS as for admin/container/podman.sh)
#
# What the official image is made of: Debian's minbase variant with the slim images' dpkg excludes
# (no manuals, documentation or translations; debuerreotype's --slim does the same) and debuerreotype's
# minimizing configuration (dpkg without a sync() per file, apt's downloads removed after every install,
# its lists kept compressed, no translations, no service started by an install), `bash` as its command.
# Plus this machine's CA bundle, exactly as an organisation behind a TLS-inspecting proxy gives it to its
# base images: as /etc/ssl/certs/ca-certificates.crt, again under /usr/local/share/ca-certificates/
# (installing Debian's ca-certificates regenerates the bundle from there and would otherwise drop it) and
# as pip's `cert` in /etc/pip.conf. The Dockerfile itself knows nothing of this.
# About 25 s with a warm apt cache on the host; needs mmdebstrap (admin/apt-packages-dev.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
podman=(bash "$here/podman.sh")
tag="${1:-$(awk 'toupper($1) == "FROM" { print $2; exit }' "$repo/Dockerfile")}"
case "$tag" in
  debian:*) suite="${tag#debian:}"; suite="${suite%%-*}" ;;
  *) echo "base image: $tag is not a Debian image; pull it instead" >&2; exit 1 ;;
esac
if "${podman[@]}" image exists "$tag"; then
  echo "base image $tag: already here"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "base image: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
bundle=/etc/ssl/certs/ca-certificates.crt
[ -f "$bundle" ] || { echo "base image: no CA bundle at $bundle" >&2; exit 1; }
echo "base image $tag: making it from Debian $suite (mmdebstrap --variant=minbase)"

# The files added to Debian's own, laid out as in the image; one hook copies them in.
extra="$(mktemp -d)"
trap 'rm -rf "$extra"' EXIT
mkdir -p "$extra/etc/dpkg/dpkg.cfg.d" "$extra/etc/apt/apt.conf.d" "$extra/usr/sbin" "$extra/etc/ssl/certs" \
  "$extra/usr/local/share/ca-certificates"
echo "force-unsafe-io" > "$extra/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
cat > "$extra/etc/apt/apt.conf.d/docker-clean" <<CONF
DPkg::Post-Invoke { $clean };
APT::Update::Post-Invoke { $clean };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
echo 'Acquire::GzipIndexes "true";' > "$extra/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Acquire::Languages "none";' > "$extra/etc/apt/apt.conf.d/docker-no-languages"
echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$extra/etc/apt/apt.conf.d/docker-autoremove-suggests"
printf '#!/bin/sh\nexit 101\n' > "$extra/usr/sbin/policy-rc.d"
chmod 0755 "$extra/usr/sbin/policy-rc.d"
cp "$bundle" "$extra/etc/ssl/certs/ca-certificates.crt"
cp "$bundle" "$extra/usr/local/share/ca-certificates/machine-ca-bundle.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$extra/etc/pip.conf"
chmod -R a+rX "$extra"

# The hooks get the new root as $1; the folder is passed through the environment.
export COURSE_BASE_FILES="$extra"
mmdebstrap --variant=minbase --quiet \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --aptopt='Acquire::Languages "none"' \
  --customize-hook='cp -r "$COURSE_BASE_FILES"/. "$1"/' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  "$suite" - \
  | "${podman[@]}" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      --message "Debian $suite minbase, made locally by admin/container/base-image.sh" \
      - "$tag" >/dev/null
echo "base image $tag: made"
