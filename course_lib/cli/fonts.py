"""``course fonts``: the fonts the offline notMNIST is rendered from; install Google Fonts without Node.js."""

from __future__ import annotations

import time

from course_lib.errors import CourseError


def register(commands) -> None:
    parser = commands.add_parser("fonts", help="fonts for the generated notMNIST: list, install Google Fonts",
                                 description="The generated notMNIST renders A-J from every usable font on "
                                             "this machine. Debian's fonts-* packages (admin/apt-packages.txt) "
                                             "give about 1,800; `course fonts install` adds Google Fonts "
                                             "families from the npm registry (@fontsource), verified by "
                                             "sha512, into your cache. Node.js is not needed.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="how many usable fonts, where from, and the installed families",
                                 description="Survey the fonts (cached while no font file changes) and print "
                                             "how many are usable, by folder, and the Google Fonts families "
                                             "installed in the cache.")
    listing.set_defaults(run=run_list)

    adding = actions.add_parser("install", help="download Google Fonts families (@fontsource) into the cache",
                                description="Download each family's @fontsource package from the npm "
                                            "registry ($COURSE_NPM_REGISTRY or npm's), check it against "
                                            "the registry's sha512, and unpack its Latin WOFF files into "
                                            "<cache>/notmnist/fonts/fontsource/. Families already current "
                                            "are skipped. Archives generated before keep the fonts they were "
                                            "made with (their manifest lists them): delete "
                                            "<cache>/notmnist/generated* to make them again with the new set.")
    adding.add_argument("families", nargs="*", metavar="FAMILY",
                        help="families to install (default: the course's list of about 300)")
    adding.set_defaults(run=run_install)

    removing = actions.add_parser("remove", help="remove installed Google Fonts families from the cache")
    removing.add_argument("families", nargs="*", metavar="FAMILY", help="families to remove (default: all)")
    removing.set_defaults(run=run_remove)


def run_list(args) -> int:
    from collections import Counter

    from course_lib.notmnist import fonts, webfonts

    start = time.perf_counter()
    usable, symbols = fonts.usable_fonts(), fonts.symbol_fonts()
    where = Counter()
    for path in usable:
        folder = next((str(d) for d in fonts.font_dirs() if path.is_relative_to(d.resolve())), str(path.parent))
        where[folder] += 1
    print(f"{len(usable):,} usable fonts ({len(symbols)} symbol fonts for wrong labels), "
          f"surveyed in {time.perf_counter() - start:.1f} s:")
    for folder, count in sorted(where.items()):
        print(f"  {count:>6,}  {folder}")
    families = webfonts.installed()
    size = sum(entry["bytes"] for entry in families.values())
    print(f"Google Fonts families installed: {len(families)} of {len(webfonts.FAMILIES)} "
          f"({size / 1e6:,.1f} MB in {webfonts.install_folder()})")
    return 0


def run_install(args) -> int:
    from course_lib.notmnist import fonts, webfonts

    start = time.perf_counter()
    report = webfonts.install(args.families or webfonts.FAMILIES)
    print(f"{report.summary()}, in {time.perf_counter() - start:.0f} s")
    for family, reason in report.failed.items():
        print(f"  {family}: {reason}")
    fonts.refresh()
    print(f"usable fonts now: {len(fonts.usable_fonts()):,}. Archives generated before keep their fonts: "
          f"delete {fonts.extra_font_dir().parent}/generated* to make them again with these.")
    if report.failed and not (report.installed or report.current):
        raise CourseError("no family could be installed: is the npm registry reachable?")
    return 1 if report.failed else 0


def run_remove(args) -> int:
    from course_lib.notmnist import fonts, webfonts

    removed = webfonts.remove(args.families or None)
    print(f"removed {len(removed)} families" + (f": {', '.join(removed)}" if removed else ""))
    fonts.refresh()
    return 0
