"""``course data``: list, fetch and locate the datasets."""

from __future__ import annotations

from course_lib.data import NAMES, fetch, locate, registry
from course_lib.errors import CourseError
from course_lib.table import format_table, human_size


def register(commands) -> None:
    parser = commands.add_parser("data", help="list, fetch and locate datasets",
                                 description="Datasets: where each is found, and fetching the missing ones.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="table of every dataset: where found, size, verified",
                                 description="Where each dataset split is found (or 'missing'), its size on "
                                             "disk and how it was verified. Never downloads.")
    listing.set_defaults(run=run_list)

    getter = actions.add_parser("fetch", help="download a dataset into the cache (or build its offline stand-in)",
                                description="Download the official files that are missing into your cache, "
                                            "verified by checksum. When a download fails, a dataset with an "
                                            "offline stand-in (mnist: the embedded sample; notmnist: generated "
                                            "archives, built now) still counts as fetched, unless --strict.")
    getter.add_argument("names", nargs="*", metavar="NAME", help=f"one or more of: {', '.join(NAMES)}")
    getter.add_argument("--all", action="store_true", help="every dataset")
    getter.add_argument("--strict", action="store_true",
                        help="exit 1 unless the real files are in place (a stand-in does not count)")
    getter.set_defaults(run=run_fetch)

    path = actions.add_parser("path", help="print the folder that holds a dataset's files",
                              description="Print the folder holding the dataset's files (for its training "
                                          "split). Exit code 1 when it is not on this machine.")
    path.add_argument("name", metavar="NAME", help=f"one of: {', '.join(NAMES)}")
    path.set_defaults(run=run_path)


def _where(source) -> str:
    if source.origin == "embedded":
        return f"embedded: {source.note}" + (f" in {source.location}" if source.location else "")
    if source.origin == "missing":
        return "missing"
    if source.origin == "corrupt":
        return f"CORRUPT: {source.note}"
    where = f"{source.origin}: {source.location}"
    return f"{where} ({source.note})" if source.note else where


def run_list(args) -> int:
    rows = []
    for name in NAMES:
        for split, source in locate(name).items():
            size = human_size(source.size_bytes) if source.found else "-"
            verified = f"yes ({source.verified})" if source.found and source.verified else "-"
            if source.origin == "corrupt":
                verified = "FAILED"
            rows.append([name, split, _where(source), size, verified])
    print(format_table(["dataset", "split", "found in", "size", "verified"], rows))
    return 0


def run_fetch(args) -> int:
    names = list(NAMES) if args.all else args.names
    if not names:
        raise CourseError("name a dataset (or use --all); the course knows: " + ", ".join(NAMES))
    failures = []
    for name in names:
        dataset = registry.get(name)
        try:
            sources = fetch(dataset.name)
        except CourseError as error:
            failures.append(dataset.name)
            print(f"{dataset.name}: FAILED\n  " + "\n  ".join(str(error).splitlines()))
            continue
        for split, source in sources.items():
            print(f"{dataset.name} {split}: {_where(source)}")
        if args.strict and any(source.origin == "embedded" for source in sources.values()):
            failures.append(dataset.name)
    if failures:
        raise CourseError(f"could not fetch {', '.join(failures)}")
    return 0


def run_path(args) -> int:
    dataset = registry.get(args.name)
    sources = locate(dataset.name)
    source = sources.get("train") or next(iter(sources.values()))
    if source.origin == "corrupt":
        locate(dataset.name, strict=True)  # raises, naming the file
    if not source.found and not (source.origin == "embedded" and dataset.embedded_prepare):
        raise CourseError(f"{dataset.name} is not on this machine ({_where(source)}); "
                          f"run `course data fetch {dataset.name}`")
    if source.origin == "embedded":
        folder = registry.call(dataset.embedded_prepare, dataset)
        print(folder)
        return 0
    print(source.folder or source.location)
    return 0
