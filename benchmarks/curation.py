"""Benchmark: duplicate search between a 10,000-image test set and a 200,000-image train set.

    .venv/bin/python benchmarks/curation.py                   # real Fashion-MNIST images (always here)
    .venv/bin/python benchmarks/curation.py --source notmnist # generated letters, once course_lib.notmnist exists

Measures, in one run:
1. exact duplicates, test vs train: course_lib.curation.exact_duplicates against
   the method of the public solutions of the notMNIST assignment (sha256 hex
   digest per image, then ``np.where(train_hashes == h)`` per test image);
2. near duplicates (at most 2 differing pixels), test vs train and train vs test:
   time, recall on the planted near copies and precision on a sample of
   flagged rows, both against brute force (every pixel of every train image).
Prints a table and writes benchmarks/results/curation.json (one entry per --source).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine  # noqa: E402
from course_lib import curation, data  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "curation.json"
N_TRAIN, N_TEST = 200_000, 10_000
N_EXACT_PLANTED, N_NEAR_PLANTED = 1_000, 500
K = 2
NAIVE_BUDGET_S = 300          # beyond this the naive search is extrapolated from its first 1,000 queries
PRECISION_SAMPLE = 200
ENVIRONMENT = ("COURSE_DATA_DIR", "COURSE_CACHE_DIR", "COURSE_OFFLINE")   # recorded with the command when set


# --------------------------------------------------------------------------- data

def shifted(x, rows=0, cols=0):
    """Images (N, 28, 28) moved by (rows, cols) pixels, filled with 0 (no wrap-around)."""
    out = np.zeros_like(x)
    h, w = x.shape[1:]
    out[:, max(rows, 0):h + min(rows, 0), max(cols, 0):w + min(cols, 0)] = \
        x[:, max(-rows, 0):h - max(rows, 0), max(-cols, 0):w - max(cols, 0)]
    return out


def fashion_sets():
    """200,000 train images: Fashion-MNIST's 60,000 + altered copies; test: its 10,000 test images."""
    (x, _), (xt, _) = data.load("fashion_mnist")
    train = np.concatenate([x, shifted(x, cols=1), x[:, :, ::-1], shifted(x[:N_TRAIN - 3 * len(x)], rows=1)])
    description = ("Fashion-MNIST (Debian dataset-fashion-mnist): train = 60,000 train images + the same "
                   "shifted right 1 px + flipped left-right + the first 20,000 shifted down 1 px; "
                   "test = the 10,000 test images")
    return train, xt.copy(), description


def notmnist_sets():
    if importlib.util.find_spec("course_lib.notmnist") is None:
        sys.exit("--source notmnist needs course_lib.notmnist (the generator), which is not there yet")
    (x, _), (xt, _) = data.load("notmnist")
    rng = np.random.default_rng(1)
    train = x[rng.permutation(len(x))[:N_TRAIN]]
    test = xt[rng.permutation(len(xt))[:N_TEST]].copy()
    description = (f"notMNIST via course_lib.data.load('notmnist'): {len(train):,} of {len(x):,} train images and "
                   f"{len(test):,} of {len(xt):,} test images, seeded random choice")
    return train, test, description


def plant(train, test, rng):
    """Replace test rows by train rows: exact copies, and copies with 1 or 2 pixels changed by >= 40 levels."""
    rows = rng.permutation(len(test))
    exact_rows, near_rows = rows[:N_EXACT_PLANTED], rows[N_EXACT_PLANTED:N_EXACT_PLANTED + N_NEAR_PLANTED]
    sources = rng.choice(len(train), N_EXACT_PLANTED + N_NEAR_PLANTED, replace=False)
    test[exact_rows] = train[sources[:N_EXACT_PLANTED]]
    near_sources = sources[N_EXACT_PLANTED:]
    for i, (row, source) in enumerate(zip(near_rows, near_sources)):
        image = train[source].copy().reshape(-1)
        where = rng.choice(image.size, 1 + i % 2, replace=False)
        delta = rng.integers(40, 128, len(where))
        image[where] = np.where(image[where] < 128, image[where] + delta, image[where] - delta)
        test[row] = image.reshape(test.shape[1:])
    return exact_rows, near_rows, near_sources


# --------------------------------------------------------------------------- reference methods

def naive_exact(test, train):
    """The public solutions' method: sha256 hex digest per image, np.where over the hex array per test image."""
    start = time.perf_counter()
    train_hashes = np.array([hashlib.sha256(image).hexdigest() for image in train])
    test_hashes = [hashlib.sha256(image).hexdigest() for image in test]
    hashing = time.perf_counter() - start
    found, searched, start = 0, 0, time.perf_counter()
    for test_hash in test_hashes:
        if len(np.where(train_hashes == test_hash)[0]):
            found += 1
        searched += 1
        if searched == 1_000 and (time.perf_counter() - start) * len(test) / 1_000 > NAIVE_BUDGET_S:
            break
    search = time.perf_counter() - start
    extrapolated = searched < len(test)
    total_search = search * len(test) / searched
    return {"seconds": hashing + total_search, "hashing_seconds": hashing, "search_seconds": total_search,
            "queries_timed": searched, "extrapolated": extrapolated,
            "count": None if extrapolated else found, "count_in_timed_queries": found}


def brute_min_distance(queries, train):
    """(len(queries),) int: fewest differing pixels between each query and any train image, all pixels compared."""
    flat = train.reshape(len(train), -1)

    def one(query):
        query = query.reshape(-1)
        return min(int((flat[s:s + 8192] != query).sum(axis=1, dtype=np.int16).min())
                   for s in range(0, len(flat), 8192))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return np.array(list(pool.map(one, queries)))


def timed(function, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, times


# --------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=["fashion_mnist", "notmnist"], default="fashion_mnist")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of our functions (median reported)")
    args = parser.parse_args(argv)

    train, test, description = fashion_sets() if args.source == "fashion_mnist" else notmnist_sets()
    rng = np.random.default_rng(0)
    exact_rows, near_rows, near_sources = plant(train, test, rng)
    distinct_train = int((~curation.duplicates_within(train)).sum())
    print(f"train {train.shape} {train.dtype}: {distinct_train:,} distinct; test {test.shape}; "
          f"planted {len(exact_rows):,} exact and {len(near_rows):,} near (1-2 pixels) copies of train images")

    # 1. exact duplicates
    ours_exact, exact_times = timed(lambda: curation.exact_duplicates(test, train), args.repeats)
    test_f, train_f = ((x.astype(np.float32) - 127.5) / 255 for x in (test, train))
    ours_exact_f, exact_times_f = timed(lambda: curation.exact_duplicates(test_f, train_f), 1)
    print("naive exact search (sha256 + np.where per test image) ...", flush=True)
    naive = naive_exact(test, train)
    exact_s = statistics.median(exact_times)

    # 2. near duplicates
    ours_near, near_times = timed(lambda: curation.near_duplicates(test, train, max_different_pixels=K), args.repeats)
    reverse, reverse_times = timed(lambda: curation.near_duplicates(train, test, max_different_pixels=K), 1)
    ours_near_f, near_times_f = timed(lambda: curation.near_duplicates(test_f, train_f, max_different_pixels=K), 1)
    near_s = statistics.median(near_times)
    planted_rows = np.concatenate([exact_rows, near_rows])

    print("brute force on the planted near copies and a sample of flagged rows ...", flush=True)
    flagged = np.flatnonzero(ours_near)
    sample = np.sort(rng.choice(flagged, min(PRECISION_SAMPLE, len(flagged)), replace=False))
    start = time.perf_counter()
    distances = brute_min_distance(test[np.concatenate([near_rows, sample])], train)
    brute_s_per_row = (time.perf_counter() - start) / len(distances)
    near_truth = distances[:len(near_rows)] <= K
    recall = float(ours_near[near_rows][near_truth].mean())
    precision = float((distances[len(near_rows):] <= K).mean()) if len(sample) else float("nan")

    figures = {
        "exact": {"ours_seconds_median": exact_s, "ours_seconds_all": exact_times,
                  "ours_float32_seconds": exact_times_f[0], "count": int(ours_exact.sum()),
                  "count_float32": int(ours_exact_f.sum()), "planted_found": int(ours_exact[exact_rows].sum()),
                  "naive": naive, "speedup": naive["seconds"] / exact_s,
                  "same_count": None if naive["count"] is None else naive["count"] == int(ours_exact.sum())},
        "near": {"k": K, "ours_seconds_median": near_s, "ours_seconds_all": near_times,
                 "reverse_train_vs_test_seconds": reverse_times[0], "ours_float32_seconds": near_times_f[0],
                 "count": int(ours_near.sum()), "count_float32": int(ours_near_f.sum()),
                 "count_beyond_planted": int(ours_near.sum()) - int(ours_near[planted_rows].sum()),
                 "planted_near": len(near_rows), "planted_near_within_k_by_brute_force": int(near_truth.sum()),
                 "recall_vs_brute_force": recall, "precision_sample_size": len(sample),
                 "precision_vs_brute_force": precision,
                 "reverse_planted_sources_found": int(reverse[near_sources].sum()),
                 "reverse_count": int(reverse.sum()),
                 "brute_force_seconds_per_test_row": brute_s_per_row,
                 "brute_force_extrapolated_seconds_all_test": brute_s_per_row * len(test)},
    }
    exact, near = figures["exact"], figures["near"]
    rows = [
        ("exact, test 10k vs train 200k", f"{exact_s:.3f} s", f"{naive['seconds']:.1f} s"
         + (" (extrapolated)" if naive["extrapolated"] else ""), f"{exact['speedup']:.0f}x", ">= 100x",
         exact["speedup"] >= 100),
        ("  same count as naive", f"{exact['count']:,}", "-" if naive["count"] is None else f"{naive['count']:,}",
         "", "equal", exact["same_count"] is not False),
        ("  float32-normalised inputs", f"{exact_times_f[0]:.3f} s", "", "", f"count {exact['count']:,}",
         exact["count_float32"] == exact["count"]),
        (f"near (k={K}), test 10k vs train 200k", f"{near_s:.2f} s",
         f"{near['brute_force_extrapolated_seconds_all_test']:.0f} s (brute force, extrapolated)",
         f"{near['brute_force_extrapolated_seconds_all_test'] / near_s:.0f}x", "< 60 s", near_s < 60),
        ("  recall, planted near copies", f"{recall:.4f} ({int(ours_near[near_rows][near_truth].sum())}"
         f"/{int(near_truth.sum())})", "brute force", "", ">= 0.95", recall >= 0.95),
        ("  precision, sample of flagged", f"{precision:.4f} (n={len(sample)})", "brute force", "", "1.0",
         precision == 1.0),
        ("  float32-normalised inputs", f"{near_times_f[0]:.2f} s", "", "", f"count {near['count']:,}",
         near["count_float32"] == near["count"]),
        (f"near (k={K}), train 200k vs test 10k", f"{reverse_times[0]:.2f} s", "", "", "< 60 s",
         reverse_times[0] < 60 and near["reverse_planted_sources_found"] == len(near_sources)),
    ]
    widths = [max(len(str(row[i])) for row in rows + [("benchmark", "ours", "naive, same run", "ratio", "target")])
              for i in range(5)]
    header = ("benchmark", "ours", "naive, same run", "ratio", "target", "ok")
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths + [2])))
    for row in rows:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row[:5], widths)) + "  " + ("yes" if row[5] else "NO"))
    print(f"\nflagged near (k={K}): {near['count']:,} test rows ({near['count_beyond_planted']:,} beyond the planted "
          f"ones); exact: {exact['count']:,} ({exact['count'] - exact['planted_found']:,} beyond the planted ones); "
          f"train vs test: {near['reverse_count']:,} train rows flagged")

    settings = "".join(f"{name}={os.environ[name]} " for name in ENVIRONMENT if name in os.environ)
    command = (f"cd {REPO} && {settings}.venv/bin/python benchmarks/curation.py"
               + "".join(f" {a}" for a in (sys.argv[1:] if argv is None else argv)))
    record = {"command": command, "machine": machine(), "source": args.source,
              "data": {"description": description, "train": list(train.shape), "test": list(test.shape),
                       "dtype": str(train.dtype), "distinct_train_images": distinct_train,
                       "planted_exact": len(exact_rows), "planted_near": len(near_rows),
                       "planted_near_change": "1 or 2 pixels changed by 40-127 levels", "seed": 0},
              "figures": figures, "targets_met": all(row[5] for row in rows),
              "date": time.strftime("%Y-%m-%d %H:%M:%S %z")}
    # One file, one entry per data source: a notMNIST run does not erase the Fashion-MNIST figures.
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    runs = json.loads(RESULTS.read_text()).get("runs", {}) if RESULTS.exists() else {}
    runs[args.source] = record
    RESULTS.write_text(json.dumps({"benchmark": "curation", "runs": runs}, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)} (runs: {', '.join(runs)})")
    return 0 if record["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
