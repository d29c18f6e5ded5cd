#!/usr/bin/env bash
# podman with this project's settings (admin/container/containers.conf, through CONTAINERS_CONF; nothing
# in /etc changes), and the storage options in PODMAN_OPTS if set (e.g. "--root DIR --runroot DIR" for an
# empty store, as the cold-build benchmark uses):
#   bash admin/container/podman.sh build -t course-kit .
#   PODMAN_OPTS="--root /tmp/cold/root --runroot /tmp/cold/run" bash admin/container/podman.sh images
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
read -r -a options <<<"${PODMAN_OPTS:-}"
exec podman "${options[@]}" "$@"
