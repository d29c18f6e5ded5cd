"""What every benchmark script shares: the machine it ran on, and writing its results atomically.

    from benchmarks.common import machine, write_results
    write_results("decode", {"command": ..., "machine": machine(), ...})
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    """Cores, CPU model, Python and numpy versions of this machine, whether TensorFlow may use oneDNN, and
    which allocator its tensors get their memory from (its BFC pool, or the C library's malloc)."""
    cpuinfo = Path("/proc/cpuinfo")
    model = platform.processor()
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), model)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return {"cores": cores, "cpu": model, "python": platform.python_version(), "numpy": np.__version__,
            "platform": platform.platform(),
            "tensorflow_onednn": "off" if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0" else "on (default)",
            "tensorflow_allocator": "BFC pool" if os.environ.get("TF_CPU_ALLOCATOR_USE_BFC", "").lower() in (
                "1", "true") else "malloc (default)"}


def write_results(name: str, results: dict) -> Path:
    """Write ``results/<name>.json`` (to a temporary name, then renamed); return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    temporary = path.with_suffix(".json.partial")
    temporary.write_text(json.dumps(results, indent=2) + "\n")
    os.replace(temporary, path)
    return path
