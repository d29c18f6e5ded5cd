"""The offline notMNIST generator: fonts, one image, archives, planted defects, cache, load() and the CLI."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from course_lib import notmnist
from course_lib.notmnist import archive, fonts, generator, plan
from course_lib.notmnist.cache import generated_folder, is_current
from tests.conftest import run_course

LETTERS = "ABCDEFGHIJ"
SMALL, LARGE = 300, 1_200
FONT_NAME = re.compile(r"[A-Za-z0-9._-]+_v\d{3,}\.(ttf|otf|ttc|otc|pfb|pfa|t1|woff)")


# --- helpers ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Both archives and the manifest, generated once for this module (small=300, large=1,200, seed 0)."""
    folder = tmp_path_factory.mktemp("generated")
    notmnist.generate(folder, small=SMALL, large=LARGE, seed=0, progress=False)
    return folder


def members(path: Path) -> dict[str, bytes]:
    """Every file member of a tar.gz: path -> bytes, in archive order."""
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return np.asarray(image)


def opens(data: bytes) -> bool:
    try:
        pixels(data)
        return True
    except Exception:
        return False


def build_font(path: Path, family: str, rectangles: dict[str, list[tuple[int, int, int, int]]],
               letters: str = LETTERS) -> Path:
    """A tiny TrueType font whose glyphs ``letters`` are the given rectangles (font units of 1,000 per em)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", *letters]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(letter): letter for letter in letters})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        for x0, y0, x1, y1 in rectangles.get(name, []):
            pen.moveTo((x0, y0))
            pen.lineTo((x0, y1))
            pen.lineTo((x1, y1))
            pen.lineTo((x1, y0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (700, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return path


# --- fonts -----------------------------------------------------------------------------------------------------------

def test_usable_fonts_are_many_distinct_and_all_have_a_to_j():
    """More than 20 fonts, each file once, sorted by name, each mapping A-J to letter glyphs."""
    usable = notmnist.usable_fonts()
    assert len(usable) > 20, f"only {len(usable)} usable fonts: install Debian's fonts-* packages"
    assert usable == sorted(usable, key=lambda p: (p.name, str(p)))
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in usable}
    assert len(digests) == len(usable), "two usable fonts have identical contents"
    for path in usable[::max(1, len(usable) // 200)]:  # a spread-out sample: reading every cmap takes a minute
        glyphs = fonts.letter_glyph_names(path)
        assert all(glyphs[letter] is not None for letter in LETTERS), f"{path} lacks some of A-J"
    matplotlib_fonts = [p for p in usable if "mpl-data" in str(p)]
    assert matplotlib_fonts, "matplotlib's own fonts (cmr10, STIXGeneral, ...) should be among them"


def test_installed_symbol_fonts_are_excluded():
    """Symbol and Dingbats (fonts-urw-base35) map A-J to Greek letters and pictograms: never used."""
    symbols = [p for p in fonts.candidate_files() if re.search(r"Symbol|Dingbat|D050000L", p.name)]
    if not symbols:
        pytest.skip("no symbol font installed (Debian's fonts-urw-base35 has StandardSymbolsPS and D050000L)")
    usable = set(notmnist.usable_fonts())
    for path in symbols:
        assert path not in usable, f"{path.name} is a symbol font but was kept"
        reason = fonts.rejection(path) or ""
        # Type 1 versions draw nothing for A-J through their built-in encoding; OpenType ones draw symbols.
        assert "symbols" in reason or "blank" in reason, f"{path.name}: {reason}"
    assert any(p.suffix == ".otf" for p in symbols) <= bool(fonts.symbol_fonts()), "symbol fonts are not listed"


def test_survey_rejects_each_kind_of_unusable_font(tmp_path):
    """Missing letters, one box for every letter, blank letters, unreadable files and copies are left out."""
    wide = {letter: [(50, 0, 150 + 50 * i, 700)] for i, letter in enumerate(LETTERS)}
    good = build_font(tmp_path / "Good.ttf", "Good", wide)
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "GoodAgain.ttf").write_bytes(good.read_bytes())
    build_font(tmp_path / "Boxes.ttf", "Boxes", {letter: [(50, 0, 600, 700)] for letter in LETTERS})
    build_font(tmp_path / "Blank.ttf", "Blank", {})
    build_font(tmp_path / "Half.ttf", "Half", wide, letters="ABCDE")
    (tmp_path / "Broken.otf").write_text("not a font")

    usable, rejected = fonts.survey([tmp_path])

    assert usable == [good.resolve()]
    reasons = {path.name: reason for path, reason in rejected.items()}
    assert "same file contents" in reasons["GoodAgain.ttf"]
    assert "same glyph" in reasons["Boxes.ttf"]
    assert "blank" in reasons["Blank.ttf"]
    assert "has no FGHIJ" in reasons["Half.ttf"]
    assert "cannot be opened" in reasons["Broken.otf"]


def test_same_design_in_two_formats_counts_once(tmp_path):
    """The same family and style twice (e.g. .otf and .t1 of a URW font) keeps one file."""
    shapes = {letter: [(50, 0, 150 + 50 * i, 700)] for i, letter in enumerate(LETTERS)}
    build_font(tmp_path / "Twin-A.ttf", "Twin", shapes)
    shapes["A"] = [(0, 0, 10, 700)]  # different bytes, same family and style
    build_font(tmp_path / "Twin-B.ttf", "Twin", shapes)
    usable, rejected = fonts.survey([tmp_path])
    assert [p.name for p in usable] == ["Twin-A.ttf"]
    assert "same design" in rejected[(tmp_path / "Twin-B.ttf").resolve()]


# --- one image -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def renders():
    """Five images of every letter from spread-out fonts: [(font, letter, image)]."""
    usable = notmnist.usable_fonts()
    chosen = usable[:: max(1, len(usable) // 5)][:5]
    return [(font, letter, notmnist.render_letter(font, letter, np.random.default_rng([i, j])))
            for i, font in enumerate(chosen) for j, letter in enumerate(LETTERS)]


def test_render_letter_is_28x28_uint8_white_on_black(renders):
    for font, letter, image in renders:
        assert image.shape == (28, 28) and image.dtype == np.uint8, f"{font.name} {letter}: {image.shape} {image.dtype}"
        assert image.max() > 200, f"{font.name} {letter}: brightest pixel {image.max()}, expected a white letter"
    everything = np.stack([image for _, _, image in renders])
    assert (everything == 0).mean() > 0.2, "the background should be black (exactly 0: no noise added)"


def test_renders_look_like_the_real_notmnist():
    """Edge to edge, no margins, no noise: the real set's statistics, roughly, on 300 renders of 100 fonts."""
    usable = notmnist.usable_fonts()
    chosen = usable[:: max(1, len(usable) // 100)][:100]
    images = np.stack([notmnist.render_letter(font, letter, np.random.default_rng([i, j]))
                       for i, font in enumerate(chosen) for j, letter in enumerate("AEI")])
    ink = images > 128
    all_four = ink[:, 0].any(1) & ink[:, -1].any(1) & ink[:, :, 0].any(1) & ink[:, :, -1].any(1)
    assert all_four.mean() > 0.5, f"ink touches all four edges in {all_four.mean():.0%} (real notMNIST: 67%)"
    assert 0.2 < (images == 0).mean() < 0.6 and (images == 255).mean() > 0.1, "pixel histogram far from the real one"
    assert len({image.tobytes() for image in images}) == len(images), "two renders are copies of each other"


def test_the_same_glyph_twice_gives_two_different_images():
    """A font's letter drawn with the same weight and style still differs (sub-pixel crop): no accidental copies."""
    font = notmnist.usable_fonts()[0]
    images = {notmnist.render_letter(font, "E", np.random.default_rng(seed)).tobytes() for seed in range(40)}
    assert len(images) == 40


def test_render_letter_stretches_the_ink_to_the_box(renders):
    """The letter's ink reaches within 3 pixels of all four sides (aspect ratio not kept)."""
    reach = []
    for _, _, image in renders:
        rows = np.flatnonzero(image.max(axis=1) > 40)
        columns = np.flatnonzero(image.max(axis=0) > 40)
        reach.append(max(rows[0], 27 - rows[-1], columns[0], 27 - columns[-1]))
    assert np.mean(np.array(reach) <= 3) >= 0.95, f"ink stops short of the margins: {sorted(reach)[-10:]}"
    # An I is narrow: only stretching makes it as wide as the box.
    widths = [np.ptp(np.flatnonzero(image.max(axis=0) > 40)) for _, letter, image in renders if letter == "I"]
    assert min(widths) >= 18, f"the I's were not stretched to the box: widths {widths}"


def test_render_letter_varies_with_the_generator_and_repeats_with_the_seed():
    font = notmnist.usable_fonts()[0]
    first = notmnist.render_letter(font, "A", np.random.default_rng(1))
    again = notmnist.render_letter(font, "A", np.random.default_rng(1))
    others = [notmnist.render_letter(font, "A", np.random.default_rng(seed)).tobytes() for seed in range(2, 22)]
    assert np.array_equal(first, again)
    assert len(set(others) | {first.tobytes()}) == 21, "renders with different seeds should all differ"
    assert notmnist.render_letter(font, "B", np.random.default_rng(1), shape=(32, 32)).shape == (32, 32)
    with pytest.raises(ValueError, match="letter must be one of"):
        notmnist.render_letter(font, "K", np.random.default_rng(1))


# --- the archives ----------------------------------------------------------------------------------------------------

def test_archives_have_the_real_layout(generated, tmp_path):
    """One top folder, A..J, base64 font-like names, 28x28 mode-L PNGs; extracts with the "data" filter."""
    manifest = notmnist.read_manifest(generated)
    font_stems = {Path(f).stem for f in manifest["fonts"]}
    for name, folder in (("notMNIST_small.tar.gz", "notMNIST_small"), ("notMNIST_large.tar.gz", "notMNIST_large")):
        with tarfile.open(generated / name, "r:gz") as tar:
            names = tar.getnames()
            tar.extractall(tmp_path / folder, filter="data")
        assert {n.split("/")[0] for n in names} == {folder}
        assert [p.name for p in (tmp_path / folder).iterdir()] == [folder]
        assert sorted(p.name for p in (tmp_path / folder / folder).iterdir()) == list(LETTERS)
        record = manifest["archives"][name]
        broken = {d["member"] for d in record["defects"]["unreadable"] + record["defects"]["wrong_size"]}
        files = [n for n in names if n.endswith(".png")]
        assert len(files) == len(set(files)) == record["members"]
        for member, data in members(generated / name).items():
            top, letter, file_name = member.split("/")
            assert letter in LETTERS
            decoded = archive.decoded_font_name(file_name)  # standard base64, as the real names
            assert FONT_NAME.fullmatch(decoded), f"{file_name} decodes to {decoded!r}"
            assert decoded.rsplit("_v", 1)[0] in font_stems
            if member not in broken:
                with Image.open(io.BytesIO(data)) as image:
                    assert (image.format, image.mode, image.size) == ("PNG", "L", (28, 28)), member


def test_manifest_records_parameters_fonts_counts_and_checksums(generated):
    manifest = notmnist.read_manifest(generated / notmnist.MANIFEST_NAME)
    assert (manifest["seed"], manifest["sizes"], manifest["version"]) == (
        0, {"small": SMALL, "large": LARGE}, notmnist.GENERATOR_VERSION)
    usable = notmnist.usable_fonts()
    assert manifest["fonts"] == archive.font_file_names(usable)
    assert manifest["font_sha256"] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in usable]
    assert manifest["font_set_sha256"] == generator.font_set_digest(manifest["fonts"], manifest["font_sha256"])
    assert manifest["symbol_fonts"] == [p.name for p in fonts.symbol_fonts()]
    assert manifest["label_noise"] == {"notMNIST_large.tar.gz": 0.065, "notMNIST_small.tar.gz": 0.005}
    for name, record in manifest["archives"].items():
        assert hashlib.sha256((generated / name).read_bytes()).hexdigest() == record["sha256"]
        assert (generated / name).stat().st_size == record["bytes"]
        counted = {letter: 0 for letter in LETTERS}
        for member in members(generated / name):
            counted[member.split("/")[1]] += 1
        assert counted == record["per_class"] and sum(counted.values()) == record["members"]


def test_planted_duplicates_are_exact_and_near_duplicates_differ_as_recorded(generated):
    manifest = notmnist.read_manifest(generated)
    files = {**members(generated / "notMNIST_large.tar.gz"), **members(generated / "notMNIST_small.tar.gz")}
    small = manifest["archives"]["notMNIST_small.tar.gz"]["defects"]
    large = manifest["archives"]["notMNIST_large.tar.gz"]["defects"]
    exact = large["duplicates"] + small["duplicates"] + small["duplicates_from_large"]
    near = large["near_duplicates"] + small["near_duplicates_from_large"]
    assert len(large["duplicates"]) == round(0.05 * LARGE) and len(large["near_duplicates"]) == round(0.01 * LARGE)
    assert len(small["duplicates_from_large"]) == round(0.08 * SMALL) and small["duplicates"]
    assert len(small["near_duplicates_from_large"]) == round(0.01 * SMALL)
    for pair in exact:
        assert files[pair["original"]] == files[pair["copy"]], pair
        assert pair["original"] != pair["copy"] and pair["original"].split("/")[1] == pair["copy"].split("/")[1]
    for pair in small["duplicates_from_large"] + small["near_duplicates_from_large"]:
        assert pair["original"].startswith("notMNIST_large/") and pair["copy"].startswith("notMNIST_small/")
    for pair in near:
        difference = np.abs(pixels(files[pair["original"]]).astype(int) - pixels(files[pair["copy"]]).astype(int))
        assert np.count_nonzero(difference) == pair["pixels_changed"] in (1, 2), pair
        assert difference.max(initial=0) >= 40 and difference[difference > 0].min() >= 40, pair


def test_planted_unreadable_wrong_size_and_imbalance_are_there(generated):
    manifest = notmnist.read_manifest(generated)
    for name, record in manifest["archives"].items():
        files = members(generated / name)
        unreadable = record["defects"]["unreadable"]
        assert sorted(d["kind"] for d in unreadable) == ["empty", "truncated"]
        for defect in unreadable:
            assert len(files[defect["member"]]) == defect["bytes"]
            assert (defect["bytes"] == 0) == (defect["kind"] == "empty")
            assert not opens(files[defect["member"]]), f"{defect['member']} should not open"
        (wrong,) = record["defects"]["wrong_size"]
        assert pixels(files[wrong["member"]]).shape == tuple(wrong["shape"]) != (28, 28)
        typical = np.median(list(record["per_class"].values()))
        assert 1 <= len(record["imbalance"]) <= 2
        for letter, smaller in record["imbalance"].items():
            assert record["per_class"][letter] == smaller["members"] < typical
            assert 0.02 <= smaller["fewer"] <= 0.04


def test_planted_wrong_labels_are_recorded_with_what_they_show(generated):
    """6.5% of large and 0.5% of small show something else than their letter, each listed with what it shows."""
    manifest = notmnist.read_manifest(generated)
    shown = set()
    for name, size, rate in (("notMNIST_large.tar.gz", LARGE, 0.065), ("notMNIST_small.tar.gz", SMALL, 0.005)):
        files = members(generated / name)
        wrong = manifest["archives"][name]["defects"]["mislabeled"]
        assert len(wrong) == round(rate * size) and len({entry["member"] for entry in wrong}) == len(wrong)
        for entry in wrong:
            image = pixels(files[entry["member"]])
            assert image.shape == (28, 28), entry
            shown.add(entry["shows"])
            if entry["shows"] == "blank":
                assert image.max() == 0, entry
            elif entry["shows"] == "filled_box":
                assert image.min() == 255, entry
            elif entry["shows"] == "other_character":
                assert 1 <= len(entry["text"]) <= 4 and not set(entry["text"].upper()) & set(LETTERS), entry
            elif entry["shows"] == "symbol":
                assert entry["symbol_font"] in manifest["symbol_fonts"], entry
            else:
                assert entry["shows"] == "missing_glyph_box" and image.max() > 128, entry
    assert {"missing_glyph_box", "other_character"} <= shown, shown


def test_a_wrong_label_is_never_an_original_of_a_planted_copy(generated):
    manifest = notmnist.read_manifest(generated)
    wrong = {e["member"] for record in manifest["archives"].values() for e in record["defects"]["mislabeled"]}
    originals = {pair["original"] for record in manifest["archives"].values() for key in generator.COPY_KEYS.values()
                 for pair in record["defects"][key]}
    assert wrong and not wrong & originals


def test_render_confusion_draws_each_kind():
    font, rng = notmnist.usable_fonts()[0], np.random.default_rng(0)
    from course_lib.notmnist.render import render_confusion

    assert render_confusion(font, "blank", rng).max() == 0
    assert render_confusion(font, "filled_box", rng).min() == 255
    box = render_confusion(font, "missing_glyph_box", rng)
    assert box.shape == (28, 28) and box.max() > 128
    assert render_confusion(font, "other_character", rng, text="x").max() > 128
    with pytest.raises(ValueError, match="needs text"):
        render_confusion(font, "other_character", rng)
    with pytest.raises(ValueError, match="unknown confusion"):
        render_confusion(font, "smudge", rng)


def test_read_archive_skips_exactly_the_planted_broken_files(generated):
    from course_lib.data.formats.notmnist import read_archive

    manifest = notmnist.read_manifest(generated)
    for name, record in manifest["archives"].items():
        images, labels, skipped = read_archive(generated / name, LETTERS)
        planted = {d["member"] for d in record["defects"]["unreadable"] + record["defects"]["wrong_size"]}
        assert {entry[0] for entry in skipped} == {f"{name}:{member}" for member in planted}
        assert images.shape == (record["members"] - len(planted), 28, 28) and images.dtype == np.uint8
        assert np.bincount(labels, minlength=10).sum() == len(images)


def test_defect_counts_scale_with_size():
    assert plan.defect_counts("notMNIST_large", 220_000)["duplicate"] == 11_000
    assert plan.defect_counts("notMNIST_small", 18_700)["duplicate_from_large"] == 1_496
    assert plan.defect_counts("notMNIST_large", 220_000)["mislabeled"] == 14_300  # the real 6.5%
    assert plan.defect_counts("notMNIST_small", 18_700)["mislabeled"] == 94  # the real 0.5%
    big = plan.defect_counts("notMNIST_large", 220_000)
    assert big["empty"] + big["truncated"] == 5  # as many unreadable files as the real large archive
    with pytest.raises(ValueError, match="at least 100"):
        plan.plan_archive("notMNIST_small", 50, 10, seed=0)


def test_same_seed_gives_identical_archives_whatever_the_workers(tmp_path, monkeypatch):
    """Byte-identical archives for one seed, with 1 or 2 worker processes; another seed differs."""
    monkeypatch.setattr(generator, "PARALLEL_FROM", 0)  # use the process pool even for a few images
    runs = {}
    for label, seed, workers in (("one", 3, 1), ("two", 3, 2), ("other", 4, 1)):
        manifest = notmnist.generate(tmp_path / label, small=100, large=200, seed=seed, progress=False,
                                     workers=workers)
        runs[label] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in manifest.parent.iterdir()}
    assert runs["one"] == runs["two"]
    assert sorted(runs["one"]) == ["notMNIST_large.tar.gz", "notMNIST_manifest.json", "notMNIST_small.tar.gz"]
    assert runs["one"]["notMNIST_small.tar.gz"] != runs["other"]["notMNIST_small.tar.gz"]
    assert runs["one"]["notMNIST_large.tar.gz"] != runs["other"]["notMNIST_large.tar.gz"]


def test_a_failed_generation_leaves_no_file_behind(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(generator, "sha256_of", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        notmnist.generate(tmp_path, small=100, large=200, progress=False)
    assert list(tmp_path.iterdir()) == []


# --- the cache, load() and the command line --------------------------------------------------------------------------

def test_ensure_archives_generates_only_when_needed(data_env, monkeypatch):
    calls = []
    real_generate = generator.generate
    monkeypatch.setattr(generator, "generate", lambda *a, **k: calls.append(k) or real_generate(*a, **k))

    folder = notmnist.ensure_archives(small=100, large=200, progress=False)
    assert folder == data_env[1] / "notmnist" / "generated-100-200-seed0" == generated_folder(100, 200)
    assert notmnist.ensure_archives(small=100, large=200) == folder and len(calls) == 1

    small = folder / "notMNIST_small.tar.gz"
    damaged = bytearray(small.read_bytes())
    damaged[100] ^= 0xFF
    small.write_bytes(bytes(damaged))
    assert not is_current(folder, small=100, large=200, seed=0)
    notmnist.ensure_archives(small=100, large=200, progress=False)
    assert len(calls) == 2 and is_current(folder, small=100, large=200, seed=0)

    # Other parameters get a folder of their own: the fast-mode set never replaces the full one.
    other = notmnist.ensure_archives(small=110, large=200, progress=False)
    assert len(calls) == 3 and other.name == "generated-110-200-seed0"
    assert notmnist.read_manifest(other)["sizes"] == {"small": 110, "large": 200}
    assert is_current(folder, small=100, large=200, seed=0)
    monkeypatch.setenv("COURSE_NOTMNIST_SMALL", "100")
    monkeypatch.setenv("COURSE_NOTMNIST_LARGE", "200")
    assert generated_folder() == data_env[1] / "notmnist" / "generated"  # the defaults keep the plain name


def test_sizes_come_from_the_environment_then_the_module_defaults(monkeypatch):
    from course_lib.errors import CourseError
    from course_lib.notmnist.cache import default_size

    monkeypatch.delenv("COURSE_NOTMNIST_SMALL", raising=False)
    monkeypatch.setattr(generator, "DEFAULT_SMALL", 123)
    assert default_size("small") == 123
    monkeypatch.setenv("COURSE_NOTMNIST_SMALL", "2_000")
    assert default_size("small") == 2_000
    monkeypatch.setenv("COURSE_NOTMNIST_SMALL", "many")
    with pytest.raises(CourseError, match="COURSE_NOTMNIST_SMALL"):
        default_size("small")


def test_load_notmnist_without_real_files_uses_the_generated_archives(data_env, monkeypatch):
    from course_lib import data

    monkeypatch.delenv("COURSE_NOTMNIST_SMALL", raising=False)
    monkeypatch.delenv("COURSE_NOTMNIST_LARGE", raising=False)
    monkeypatch.setattr(generator, "DEFAULT_SMALL", SMALL)
    monkeypatch.setattr(generator, "DEFAULT_LARGE", LARGE)
    with pytest.warns(UserWarning, match="skipped 6 unreadable"):
        ((x_train, y_train), (x_test, y_test)), info = data.load("notmnist", with_info=True)

    assert x_train.shape == (LARGE - 3, 28, 28) and x_test.shape == (SMALL - 3, 28, 28)
    assert x_train.dtype == x_test.dtype == np.uint8 and y_train.dtype == np.int64
    assert set(np.unique(y_train)) == set(range(10))
    assert info.real is False
    folder = str(generated_folder())
    assert info.splits["train"].location == info.splits["test"].location == folder
    fonts_used = len(notmnist.read_manifest(folder)["fonts"])
    assert info.splits["train"].note == (f"generated on this machine from {fonts_used} fonts (seed 0): "
                                         "not the real notMNIST")
    assert len(info.skipped) == 6


def test_course_data_fetch_and_path_build_the_archives_offline(data_env):
    sizes = {"COURSE_NOTMNIST_SMALL": "200", "COURSE_NOTMNIST_LARGE": "400", "COURSE_OFFLINE": "1"}
    fetched = run_course("data", "fetch", "notmnist", env=sizes)
    assert fetched.returncode == 0, fetched.stderr
    folder = data_env[1] / "notmnist" / "generated"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "notMNIST_large.tar.gz", "notMNIST_manifest.json", "notMNIST_small.tar.gz"]
    manifest = json.loads((folder / "notMNIST_manifest.json").read_text())
    assert manifest["sizes"] == {"small": 200, "large": 400}
    assert "notmnist train: embedded: generated on this machine" in fetched.stdout

    located = run_course("data", "path", "notmnist", env=sizes)
    assert located.returncode == 0, located.stderr
    assert located.stdout.strip() == str(folder)


def test_font_table_quirks_are_not_warnings(caplog):
    """Debian's Ecolier fonts carry a stray byte in their 'post' table; fontTools warns about it on
    stderr, which would cost a graded notebook cell that generates notMNIST its points."""
    quirky = [path for path in fonts.candidate_files() if path.name.startswith("Ecolier")]
    if not quirky:
        pytest.skip("fonts-ecolier-court is not installed (admin/apt-packages.txt lists it)")
    with caplog.at_level("WARNING"):
        for path in quirky:
            assert fonts.letter_glyph_names(path)["A"] is not None
    assert [r.getMessage() for r in caplog.records if r.name.startswith("fontTools")] == []


# --- the font survey's cache, and Google Fonts from a (local) npm registry -----------------------------------------

def wide_letters() -> dict:
    """Ten different two-rectangle glyphs for A-J (font units)."""
    return {letter: [(50, 0, 150 + 50 * i, 700), (0, 600 - 40 * i, 700, 650 - 40 * i)]
            for i, letter in enumerate(LETTERS)}


def test_the_survey_is_saved_and_reused_until_a_font_file_changes(tmp_path, monkeypatch, data_env):
    folder = tmp_path / "fonts"
    folder.mkdir()
    first = build_font(folder / "First.ttf", "First", wide_letters())
    monkeypatch.setattr(fonts, "font_dirs", lambda: [folder])
    monkeypatch.setattr(fonts, "survey_files", lambda: [data_env[1] / "fonts-survey.json"])
    calls = []
    real_survey = fonts.survey
    monkeypatch.setattr(fonts, "survey", lambda *a: calls.append(a) or real_survey(*a))
    fonts.refresh()
    try:
        assert fonts.usable_fonts() == [first.resolve()] and len(calls) == 1
        fonts.refresh()
        assert fonts.usable_fonts() == [first.resolve()] and len(calls) == 1, "the saved survey was not reused"
        second = build_font(folder / "Second.ttf", "Second", wide_letters())
        fonts.refresh()
        assert fonts.usable_fonts() == [first.resolve(), second.resolve()] and len(calls) == 2
        saved = json.loads((data_env[1] / "fonts-survey.json").read_text())
        assert len(saved["surveys"]) == 2  # both font sets, each under its own key
        # Found in the platform's cache only, the survey is copied into the course cache (which a grading
        # sandbox sees), without surveying again.
        platform = tmp_path / "platform" / "fonts-survey.json"
        platform.parent.mkdir()
        (data_env[1] / "fonts-survey.json").rename(platform)
        monkeypatch.setattr(fonts, "survey_files", lambda: [data_env[1] / "fonts-survey.json", platform])
        fonts.refresh()
        assert fonts.usable_fonts() == [first.resolve(), second.resolve()] and len(calls) == 2
        copied = json.loads((data_env[1] / "fonts-survey.json").read_text())["surveys"]
        assert len(copied) == 1 and copied.items() <= json.loads(platform.read_text())["surveys"].items()
    finally:
        monkeypatch.undo()
        fonts.refresh()


@pytest.fixture
def npm_registry(tmp_path, monkeypatch, data_env):
    """A real HTTP server laid out as the npm registry, holding @fontsource/testsans (one Latin WOFF, plus
    files that must not be unpacked) and @fontsource/badsans (metadata whose sha512 does not match)."""
    from fontTools.ttLib import TTFont
    from http_server import serve_folder

    root = tmp_path / "registry"
    package = tmp_path / "package"
    (package / "files").mkdir(parents=True)
    font = build_font(tmp_path / "TestSans.ttf", "TestSans", wide_letters())
    with TTFont(str(font)) as loaded:
        loaded.flavor = "woff"
        loaded.save(str(package / "files" / "testsans-latin-400-normal.woff"))
    for name in ("testsans-latin-ext-400-normal.woff", "testsans-latin-400-normal.woff2"):
        (package / "files" / name).write_bytes(b"not for us")
    (package / "package.json").write_text('{"name": "@fontsource/testsans"}')
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with serve_folder(root) as server:
        for family in ("testsans", "badsans"):
            tarball = root / "@fontsource" / family / "-" / f"{family}-1.0.0.tgz"
            tarball.parent.mkdir(parents=True)
            with tarfile.open(tarball, "w:gz") as tar:
                tar.add(package, arcname="package")
            digest = hashlib.sha512(tarball.read_bytes() + (b"x" if family == "badsans" else b"")).digest()
            integrity = "sha512-" + base64.b64encode(digest).decode()
            metadata = {"name": f"@fontsource/{family}", "version": "1.0.0",
                        "dist": {"tarball": f"{server.url}/@fontsource/{family}/-/{family}-1.0.0.tgz",
                                 "integrity": integrity}}
            (root / "@fontsource" / family / "latest").write_text(json.dumps(metadata))
        monkeypatch.setenv("COURSE_NPM_REGISTRY", server.url)
        yield server


def test_google_fonts_install_verified_latin_woff_only_and_once(npm_registry):
    from course_lib.notmnist import webfonts

    report = webfonts.install(["testsans"], progress=False)
    assert (report.installed, report.failed, report.files) == (["testsans"], {}, 1)
    folder = webfonts.install_folder() / "testsans"
    assert sorted(p.name for p in folder.iterdir()) == ["testsans-latin-400-normal.woff"]
    entry = webfonts.installed()["testsans"]
    assert entry["version"] == "1.0.0" and entry["integrity"].startswith("sha512-")
    assert fonts.survey([webfonts.install_folder()])[0] == [(folder / "testsans-latin-400-normal.woff").resolve()]
    tarball = "/@fontsource/testsans/-/testsans-1.0.0.tgz"
    assert npm_registry.requests[tarball] == 1

    again = webfonts.install(["testsans"], progress=False)
    assert (again.installed, again.current) == ([], ["testsans"])
    assert npm_registry.requests[tarball] == 1, "an installed family was downloaded again"
    assert webfonts.remove(["testsans"]) == ["testsans"] and not folder.exists()


def test_google_fonts_a_tarball_failing_its_sha512_is_refused(npm_registry):
    from course_lib.notmnist import webfonts

    report = webfonts.install(["badsans", "nosuchfamily"], progress=False)
    assert "sha512" in report.failed["badsans"] and "refused" in report.failed["badsans"]
    assert "no metadata" in report.failed["nosuchfamily"]
    assert not report.installed and webfonts.installed() == {}
    leftovers = [p.name for p in webfonts.install_folder().iterdir() if p.name != webfonts.RECORD]
    assert leftovers == [], f"left behind: {leftovers}"
    with pytest.raises(Exception, match="not a font family name"):
        webfonts.install(["../etc"], progress=False)


def test_generated_archives_render_woff_fonts_and_record_them(npm_registry, tmp_path):
    from course_lib.notmnist import webfonts

    webfonts.install(["testsans"], progress=False)
    (woff,) = (webfonts.install_folder() / "testsans").iterdir()
    manifest = notmnist.read_manifest(notmnist.generate(tmp_path / "out", small=100, large=200, progress=False,
                                                        fonts=[woff], symbols=[]))
    assert manifest["fonts"] == ["testsans-latin-400-normal.woff"] and manifest["symbol_fonts"] == []
    assert manifest["font_sha256"] == [hashlib.sha256(woff.read_bytes()).hexdigest()]
    shows = {e["shows"] for r in manifest["archives"].values() for e in r["defects"]["mislabeled"]}
    assert "symbol" not in shows  # no symbol font given: none drawn


def test_course_fonts_install_and_list(npm_registry, capsys, monkeypatch, data_env):
    import argparse

    from course_lib.cli import fonts as fonts_command
    from course_lib.notmnist import webfonts

    # Survey only the installed families (the machine's own thousands of fonts take a minute).
    monkeypatch.setattr(fonts, "font_dirs", lambda: [webfonts.install_folder()])
    monkeypatch.setattr(fonts, "survey_files", lambda: [data_env[1] / "fonts-survey.json"])

    parser = argparse.ArgumentParser()
    fonts_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["fonts", "install", "testsans"])
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "1 families installed" in out and "usable fonts now:" in out
    args = parser.parse_args(["fonts", "list"])
    try:
        assert args.run(args) == 0
        out = capsys.readouterr().out
        assert "1 usable fonts" in out and "Google Fonts families installed: 1 of" in out
    finally:
        monkeypatch.undo()
        fonts.refresh()
