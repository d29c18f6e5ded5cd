"""Where datasets are looked for, and the settings that change it.

Environment variables (all optional):

COURSE_DATA_DIR     an instructor's mirror or a shared volume: ``<dir>/<dataset>/<official files>``
COURSE_CACHE_DIR    the per-user cache (default: the platform's cache folder, ``course-kit``)
COURSE_DATA_MIRROR  an HTTP(S) base URL tried before the official hosts: ``<url>/<dataset>/<file>``
COURSE_OFFLINE=1    never try to download
"""

from __future__ import annotations

import os
from pathlib import Path

import pooch

TRUE_WORDS = {"1", "true", "yes", "on"}


def data_dir() -> Path | None:
    value = os.environ.get("COURSE_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    value = os.environ.get("COURSE_CACHE_DIR", "").strip()
    return Path(value).expanduser() if value else Path(pooch.os_cache("course-kit"))


def mirror_url() -> str | None:
    value = os.environ.get("COURSE_DATA_MIRROR", "").strip()
    return value.rstrip("/") + "/" if value else None


def offline() -> bool:
    return os.environ.get("COURSE_OFFLINE", "").strip().lower() in TRUE_WORDS


def dataset_cache(name: str) -> Path:
    return cache_dir() / name


def describe_places(name: str) -> list[str]:
    """Human-readable list of the folders searched for ``name``, in order."""
    places = []
    base = data_dir()
    places.append(f"{base / name}/" if base else f"$COURSE_DATA_DIR/{name}/ (COURSE_DATA_DIR is not set)")
    places.append(f"{dataset_cache(name)}/ (your cache)")
    return places
