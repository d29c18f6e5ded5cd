"""Google Fonts for the notMNIST generator, from the npm registry's ``@fontsource`` packages, without Node.js.

The real notMNIST was rendered from tens of thousands of fonts found on the
web; Debian's ``fonts-*`` packages give a machine about 1,800 usable ones.
``install()`` adds the Google Fonts families of ``FAMILIES`` (display, script,
handwriting, slab, sans, serif and mono designs that Debian does not
package), each an ``@fontsource/<family>`` package of the npm registry:

1. the package's metadata (``<registry>/@fontsource/<family>/latest``) gives
   its version, tarball and the tarball's sha512 (npm's ``integrity``);
2. pooch downloads the tarball and checks it against that sha512 before
   anything is read from it;
3. only the Latin WOFF files (``files/<family>-latin-<weight>-<style>.woff``,
   which FreeType reads) are unpacked, into
   ``<cache>/notmnist/fonts/fontsource/<family>/`` (a temporary folder, then
   renamed), and ``fontsource.json`` there records version, sha512 and files.

A family already installed at the registry's current version is not
downloaded again. ``course_lib.notmnist.fonts`` finds the files there (and
leaves out, as always, any that lacks A-J or repeats an installed design).
The registry is ``$COURSE_NPM_REGISTRY`` when set (a mirror), else npm's.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from course_lib.errors import CourseError, DataIntegrityError, DownloadError

REGISTRY_VARIABLE = "COURSE_NPM_REGISTRY"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
SCOPE = "@fontsource"
FOLDER = "fontsource"  # under course_lib.notmnist.fonts.extra_font_dir()
RECORD = "fontsource.json"
TIMEOUT = (15, 120)  # seconds: to connect, and between two packets
DOWNLOADS_AT_ONCE = 8  # transfers in flight (network-bound: threads, not processes)
LATIN_WOFF = re.compile(r"package/files/(?P<id>[a-z0-9-]+)-latin-(?P<weight>\d{3})-(?P<style>normal|italic)\.woff")

# Google Fonts families with Latin letters that Debian does not package (by design, not only by name):
# display, script and handwriting faces first, as the real notMNIST has many, then text faces.
FAMILIES = (
    # display
    "abril-fatface", "alfa-slab-one", "aboreto", "anton", "archivo-black", "audiowide", "bangers",
    "berkshire-swash", "big-shoulders-display", "black-ops-one", "bowlby-one-sc", "bungee", "bungee-shade",
    "calistoga", "caprasimo", "carter-one", "changa-one", "chewy", "cinzel-decorative", "climate-crisis",
    "coiny", "creepster", "days-one", "dela-gothic-one", "ewert", "fredericka-the-great", "germania-one",
    "gloock", "goldman", "graduate", "iceberg", "iceland", "jersey-10", "jockey-one", "knewave", "krona-one",
    "league-gothic", "lilita-one", "londrina-solid", "luckiest-guy", "medievalsharp", "michroma", "modak",
    "monofett", "monoton", "mouse-memoirs", "norwester", "nosifer", "nova-square", "orbitron", "passion-one",
    "paytone-one", "pixelify-sans", "poiret-one", "press-start-2p", "purple-purse", "rammetto-one",
    "righteous", "rowdies", "rubik-mono-one", "russo-one", "saira-stencil-one", "shrikhand", "sigmar-one",
    "silkscreen", "spicy-rice", "staatliches", "syncopate", "titan-one", "unbounded", "uncial-antiqua",
    "unifrakturmaguntia", "vibur", "vt323", "yeseva-one", "zen-dots", "bubblegum-sans", "fredoka",
    "museomoderno", "oxanium", "teko", "khand", "fjalla-one", "oswald", "antonio", "alumni-sans",
    # script and handwriting
    "alex-brush", "allura", "amatic-sc", "annie-use-your-telescope", "architects-daughter", "bad-script",
    "birthstone", "caveat", "caveat-brush", "cedarville-cursive", "condiment", "cookie", "corinthia",
    "courgette", "covered-by-your-grace", "damion", "finger-paint", "freehand", "gloria-hallelujah",
    "gochi-hand", "grand-hotel", "great-vibes", "handlee", "happy-monkey", "herr-von-muellerhoff",
    "homemade-apple", "indie-flower", "italianno", "kalam", "licorice", "marck-script", "montecarlo",
    "mr-de-haviland", "ms-madi", "neucha", "nova-script", "oooh-baby", "pacifico", "parisienne",
    "patrick-hand", "permanent-marker", "pinyon-script", "reenie-beanie", "rochester", "rock-salt",
    "sacramento", "satisfy", "schoolbell", "shadows-into-light", "short-stack", "smooch", "sniglet",
    "special-elite", "sue-ellen-francisco", "swanky-and-moo-moo", "tangerine", "the-girl-next-door",
    "whisper", "yellowtail", "itim", "sriracha", "delius",
    # slab and serif
    "adamina", "alegreya", "aleo", "alice", "arvo", "besley", "bitter", "bodoni-moda", "brawler",
    "bree-serif", "cinzel", "cormorant", "cormorant-garamond", "crimson-pro", "crimson-text", "domine",
    "esteban", "faustina", "frank-ruhl-libre", "fraunces", "gelasio", "halant", "headland-one", "hepta-slab",
    "im-fell-english", "inika", "inknut-antiqua", "libre-baskerville", "libre-caslon-text", "literata", "lora",
    "lustria", "marcellus", "martel", "merriweather", "newsreader", "ovo", "patua-one", "petrona",
    "piazzolla", "playfair-display", "poly", "prata", "pt-serif", "rokkitt", "rufina", "sanchez", "slabo-27px",
    "spectral", "suez-one", "unna", "volkhov", "zilla-slab", "abhaya-libre", "italiana", "belleza",
    "tenor-sans", "philosopher",
    # sans and mono
    "abeezee", "abel", "acme", "actor", "afacad", "aileron", "alata", "albert-sans", "aldrich", "alegreya-sans",
    "allan", "amaranth", "anybody", "archivo", "archivo-narrow", "arimo", "arsenal", "asap", "assistant",
    "atkinson-hyperlegible", "average-sans", "bai-jamjuree", "baloo-2", "balsamiq-sans", "barlow",
    "barlow-condensed", "basic", "blinker", "bricolage-grotesque", "catamaran", "chakra-petch", "chivo",
    "commissioner", "cousine", "darker-grotesque", "didact-gothic", "dm-sans", "encode-sans", "epilogue", "exo",
    "exo-2", "figtree", "grandstander", "hanken-grotesk", "heebo", "inder", "josefin-sans", "jost", "k2d",
    "kanit", "kumbh-sans", "lekton", "lexend", "libre-franklin", "maven-pro", "merriweather-sans", "monda",
    "montserrat", "montserrat-alternates", "mulish", "nunito", "outfit", "overpass", "poppins", "prompt",
    "pt-sans", "quantico", "questrial", "rajdhani", "raleway", "red-hat-display", "rubik", "saira", "sansita",
    "sen", "share-tech", "signika", "space-grotesk", "space-mono", "syne", "titillium-web", "tomorrow",
    "ubuntu", "urbanist", "varela-round", "work-sans",
)


@dataclass
class InstallReport:
    """What ``install`` did: families downloaded, already current, failed (family -> reason); files and bytes."""

    installed: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    files: int = 0
    downloaded_bytes: int = 0

    def summary(self) -> str:
        return (f"{len(self.installed)} families installed ({self.downloaded_bytes / 1e6:,.1f} MB downloaded), "
                f"{len(self.current)} already current, {len(self.failed)} failed; {self.files:,} font files")


def registry_url() -> str:
    """The npm registry to use: ``$COURSE_NPM_REGISTRY``, else npm's own."""
    return (os.environ.get(REGISTRY_VARIABLE, "").strip() or DEFAULT_REGISTRY).rstrip("/")


def install_folder() -> Path:
    """``<cache>/notmnist/fonts/fontsource``: one folder per installed family."""
    from course_lib.notmnist.fonts import extra_font_dir

    return extra_font_dir() / FOLDER


def installed() -> dict[str, dict]:
    """``{family: {"version", "integrity", "files": [...], "bytes"}}`` of the families installed here."""
    try:
        record = json.loads((install_folder() / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {family: entry for family, entry in record.get("families", {}).items()
            if (install_folder() / family).is_dir()}


def install(families=FAMILIES, *, progress: bool = True) -> InstallReport:
    """Download, verify and unpack the Latin WOFF files of ``families`` (``@fontsource/<family>`` packages).

    A family whose installed version and sha512 match the registry's latest is
    left as it is. A family that fails (network, checksum, no Latin files) is
    reported and the others go on; nothing half-unpacked is ever left in place.
    """
    from course_lib.progress import bar as progress_bar

    unknown = [family for family in families if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", family)]
    if unknown:
        raise CourseError(f"not a font family name: {', '.join(unknown)} (for example: lobster, bebas-neue)")
    folder = install_folder()
    folder.mkdir(parents=True, exist_ok=True)
    registry, before = registry_url(), installed()
    report = InstallReport()
    with ThreadPoolExecutor(DOWNLOADS_AT_ONCE) as pool, \
            progress_bar(total=len(families), desc="installing fonts", unit="family", show=progress) as bar:
        for family, outcome in zip(families, pool.map(lambda f: _install_one(f, registry, folder, before), families)):
            if isinstance(outcome, Exception):
                report.failed[family] = str(outcome).splitlines()[0]
            elif outcome is None:
                report.current.append(family)
            else:
                report.installed.append(family)
                report.downloaded_bytes += outcome.pop("downloaded")
                before[family] = outcome
            bar.update(1)
    _write_record(folder, {family: before[family] for family in sorted(before)})
    report.files = sum(len(entry["files"]) for entry in installed().values())
    return report


def remove(families=None) -> list[str]:
    """Remove the installed ``families`` (default: all of them); return the names removed."""
    record = installed()
    chosen = sorted(record) if families is None else [family for family in families if family in record]
    for family in chosen:
        shutil.rmtree(install_folder() / family, ignore_errors=True)
        record.pop(family)
    if install_folder().is_dir():
        _write_record(install_folder(), record)
    return chosen


def _install_one(family: str, registry: str, folder: Path, before: dict):
    """Install one family: None when already current, the new record entry, or the Exception that stopped it."""
    try:
        metadata = _metadata(registry, family)
        dist = metadata.get("dist") or {}
        version, tarball, integrity = metadata.get("version"), dist.get("tarball"), dist.get("integrity", "")
        if not (version and tarball and integrity.startswith("sha512-")):
            raise DownloadError(f"{SCOPE}/{family}: the registry's metadata has no tarball with a sha512 integrity")
        old = before.get(family)
        if old and old.get("version") == version and old.get("integrity") == integrity:
            return None
        with tempfile.TemporaryDirectory(dir=folder, prefix=f".{family}.") as scratch:
            archive = _download(_local_tarball_url(registry, tarball), Path(scratch), integrity, family)
            downloaded = archive.stat().st_size
            unpacked = Path(scratch) / family
            files = _unpack_latin_woff(archive, unpacked, family)
            target = folder / family
            if target.exists():
                shutil.rmtree(target)
            os.replace(unpacked, target)
        return {"version": version, "integrity": integrity, "files": files,
                "bytes": sum((folder / family / name).stat().st_size for name in files), "downloaded": downloaded}
    except Exception as error:  # network, checksum and archive errors come in many types; each is reported
        return error if isinstance(error, CourseError) else DownloadError(f"{type(error).__name__}: {error}")


def _metadata(registry: str, family: str) -> dict:
    """The registry's metadata of the latest ``@fontsource/<family>`` (version, dist.tarball, dist.integrity)."""
    import pooch

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "latest.json"
        url = f"{registry}/{quote(SCOPE)}/{family}/latest"
        try:
            pooch.HTTPDownloader(progressbar=False, timeout=TIMEOUT)(url, str(path), None)
        except Exception as error:  # requests raises many kinds
            raise DownloadError(f"{SCOPE}/{family}: no metadata at {url} ({type(error).__name__})") from None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise DownloadError(f"{SCOPE}/{family}: the metadata at {url} is not JSON") from None


def _local_tarball_url(registry: str, tarball: str) -> str:
    """The tarball's URL, moved to ``registry`` when a mirror is used (metadata names npm's own host)."""
    if registry != DEFAULT_REGISTRY and tarball.startswith(DEFAULT_REGISTRY):
        return registry + tarball[len(DEFAULT_REGISTRY):]
    return tarball


def _download(url: str, folder: Path, integrity: str, family: str) -> Path:
    """The tarball at ``url`` in ``folder``, checked against npm's ``sha512-<base64>`` integrity by pooch."""
    import pooch

    digest = base64.b64decode(integrity.removeprefix("sha512-")).hex()
    pooch.get_logger().setLevel("WARNING")  # not a line per file: the progress bar counts families
    try:
        return Path(pooch.retrieve(url, known_hash=f"sha512:{digest}", fname="package.tgz", path=folder,
                                   progressbar=False, downloader=pooch.HTTPDownloader(timeout=TIMEOUT)))
    except ValueError as error:  # pooch: the hash does not match
        raise DataIntegrityError(f"{SCOPE}/{family}: the tarball from {url} failed its sha512 check: refused "
                                 f"({str(error).splitlines()[0][:120]})") from None
    except Exception as error:  # requests raises many kinds
        raise DownloadError(f"{SCOPE}/{family}: could not download {url} ({type(error).__name__})") from None


def _unpack_latin_woff(archive: Path, destination: Path, family: str) -> list[str]:
    """Copy the Latin WOFF files of the (already verified) tarball into ``destination``; return their names."""
    destination.mkdir()
    names = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            match = LATIN_WOFF.fullmatch(member.name)
            if not (member.isfile() and match):
                continue
            name = Path(member.name).name
            with tar.extractfile(member) as source, open(destination / name, "wb") as target:
                shutil.copyfileobj(source, target)
            names.append(name)
    if not names:
        raise DataIntegrityError(f"{SCOPE}/{family}: the package holds no Latin WOFF file (files/*-latin-*.woff)")
    return sorted(names)


def _write_record(folder: Path, families: dict) -> None:
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{RECORD}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"registry": registry_url(), "families": families}, stream, indent=1, sort_keys=True)
        os.replace(temporary, folder / RECORD)
    finally:
        Path(temporary).unlink(missing_ok=True)
