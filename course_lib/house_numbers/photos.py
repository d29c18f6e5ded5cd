"""Photos of house numbers: the course's example photos, and reading a folder of your own.

Example photos (``write_example_photos``): a house-number plaque (digits in
one of matplotlib's fonts on a painted panel with a border) put in
perspective onto a real photograph that ships inside scikit-image (a brick
wall, gravel, a wooden table, a rocket's launch tower, grass), with the
soft shadow it casts, then photographed: uneven light, a little blur and
noise, saved as JPEG or PNG. One is saved sideways with an EXIF orientation
tag, as phones do, so that a reader that ignores EXIF sees it on its side.
``boxes.csv`` beside them gives the box around each number (in the upright
photo, a few pixels loose, as a person draws it) and, for these examples,
the number itself.

Reading a folder (``read_photo_folder``): every image of a common type
(PHOTO_SUFFIXES, any case), turned upright by its EXIF orientation, as RGB,
with its box from ``boxes.csv`` when the folder has one (columns ``file,
left, top, right, bottom``, and optionally ``number``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from course_lib.house_numbers.backgrounds import photograph
from course_lib.house_numbers.fonts import glyph
from course_lib.house_numbers.render import _place, homography, project_boxes

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
BOXES_FILE = "boxes.csv"
BOX_COLUMNS = ("file", "left", "top", "right", "bottom")
EXIF_ORIENTATION = 0x0112
ROTATED = 6  # EXIF orientation "turn 90 degrees clockwise to show"


@dataclass(frozen=True)
class ExamplePhoto:
    """How one example photo is made. plaque: (left, top, right, bottom) of the plaque in the photo, before
    perspective; tilt: how far its right edge recedes (a fraction of its height)."""

    file: str
    number: str
    scene: str
    font: str
    ink: tuple
    panel: tuple
    plaque: tuple
    tilt: float
    size: tuple = (640, 480)
    wall_tint: tuple = (1.0, 1.0, 1.0)
    sideways: bool = False


EXAMPLES = (
    ExamplePhoto("01_brick_wall.jpg", "27", "brick", "DejaVuSans-Bold.ttf", (245, 245, 240), (28, 52, 95),
                 (250, 170, 400, 270), 0.10, wall_tint=(1.05, 0.62, 0.45)),
    ExamplePhoto("02_coffee_table.jpg", "1604", "coffee", "DejaVuSerif-Bold.ttf", (30, 28, 25), (214, 190, 120),
                 (120, 200, 330, 270), -0.12, size=(480, 640), sideways=True),
    ExamplePhoto("03_garden_gate.png", "385", "grass", "DejaVuSans.ttf", (250, 250, 250), (25, 90, 45),
                 (220, 180, 420, 260), 0.08),
    ExamplePhoto("04_launch_tower.jpeg", "9", "rocket", "DejaVuSansMono-Bold.ttf", (20, 20, 20), (235, 235, 225),
                 (330, 120, 410, 220), -0.06),
    ExamplePhoto("05_pavement.JPG", "52", "gravel", "DejaVuSerif.ttf", (250, 240, 200), (110, 35, 35),
                 (200, 190, 370, 290), 0.12, wall_tint=(0.9, 0.85, 0.8)),
)


def _font_path(name: str) -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)


def draw_plaque(number: str, font: str, ink, panel, *, glyph_size: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """A plaque: the digits of ``number`` in ``font`` (a matplotlib font file name) and ``ink`` on a panel of
    colour ``panel`` with a border. Returns (float32 image (rows, columns, 3), digit boxes (digits, 4) as
    (left, top, width, height))."""
    glyphs = [glyph(_font_path(font), int(d), glyph_size) for d in number]
    height = max(mask.shape[0] for mask, _, _ in glyphs)
    ascent = min(top for _, top, _ in glyphs)
    margin, gap = int(0.45 * height), int(0.12 * height)
    columns = 2 * margin + sum(mask.shape[1] for mask, _, _ in glyphs) + gap * (len(glyphs) - 1)
    rows = 2 * margin + max(top - ascent + mask.shape[0] for mask, top, _ in glyphs)
    ink_mask = np.zeros((rows, columns), np.float32)
    boxes, x = [], margin
    for mask, top, _ in glyphs:
        _place(ink_mask, mask, margin + top - ascent, x)
        boxes.append((x, margin + top - ascent, mask.shape[1], mask.shape[0]))
        x += mask.shape[1] + gap
    image = np.empty((rows, columns, 3), np.float32)
    image[:] = panel
    border = max(2, height // 14)
    inset = border * 2
    frame = np.zeros((rows, columns), bool)
    frame[inset:rows - inset, inset:columns - inset] = True
    frame[inset + border:rows - inset - border, inset + border:columns - inset - border] = False
    image[frame] = ink
    image += (np.asarray(ink, np.float32) - image) * ink_mask[..., None]
    return image, np.asarray(boxes, float)


def compose_example(example: ExamplePhoto, seed: int = 0) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """One example photo, upright: (uint8 (rows, columns, 3), the number's box (left, top, right, bottom))."""
    rng = np.random.default_rng([seed, sum(map(ord, example.file))])
    columns, rows = example.size
    wall = photograph(example.scene)
    scale = max(columns / wall.width, rows / wall.height)
    wall = wall.resize((max(columns, round(wall.width * scale)), max(rows, round(wall.height * scale))),
                       Image.Resampling.BICUBIC).crop((0, 0, columns, rows))
    photo = np.asarray(wall, np.float32) * np.asarray(example.wall_tint, np.float32)

    plaque, boxes = draw_plaque(example.number, example.font, example.ink, example.panel)
    left, top, right, bottom = example.plaque
    height = bottom - top
    width = height * plaque.shape[1] / plaque.shape[0]  # keep the plaque's proportions
    right = left + width
    recede = example.tilt * height / 2
    quad = np.array([(left, top), (right, top + recede), (right, bottom - recede), (left, bottom)], float)
    to_photo = homography([(0, 0), (plaque.shape[1], 0), (plaque.shape[1], plaque.shape[0]), (0, plaque.shape[0])],
                          quad)
    # The plaque and its coverage, drawn in the photo's frame (PIL wants the map from photo to plaque).
    to_plaque = np.linalg.inv(to_photo)
    coefficients = tuple((to_plaque / to_plaque[2, 2]).reshape(-1)[:8])
    picture = Image.fromarray(np.clip(plaque, 0, 255).astype(np.uint8), "RGB")
    warped = np.asarray(picture.transform((columns, rows), Image.Transform.PERSPECTIVE, coefficients,
                                          resample=Image.Resampling.BICUBIC), np.float32)
    coverage = Image.new("L", picture.size, 255).transform((columns, rows), Image.Transform.PERSPECTIVE,
                                                           coefficients, resample=Image.Resampling.BILINEAR)
    alpha = np.asarray(coverage, np.float32)[..., None] / 255.0
    shadow = np.asarray(coverage.filter(ImageFilter.GaussianBlur(height * 0.06)), np.float32)[..., None] / 255.0
    shift = max(2, int(height * 0.05))
    shadow = np.roll(np.roll(shadow, shift, axis=0), shift, axis=1)
    photo *= 1 - 0.55 * shadow
    photo = photo * (1 - alpha) + warped * alpha

    y, x = np.mgrid[0:rows, 0:columns].astype(np.float32)
    light = 1 + rng.uniform(-0.2, 0.2) * (x / columns - 0.5) + rng.uniform(-0.2, 0.2) * (y / rows - 0.5)
    photo = photo * light[..., None] + rng.normal(0, 3, (rows, columns, 1))
    picture = Image.fromarray(np.clip(photo + 0.5, 0, 255).astype(np.uint8), "RGB").filter(
        ImageFilter.GaussianBlur(0.7))
    digits = project_boxes(boxes, to_photo)
    slack = 0.08 * height
    box = (int(max(digits[:, 0].min() - slack, 0)), int(max(digits[:, 1].min() - slack, 0)),
           int(min((digits[:, 0] + digits[:, 2]).max() + slack, columns)),
           int(min((digits[:, 1] + digits[:, 3]).max() + slack, rows)))
    return np.asarray(picture), box


def write_example_photos(folder, *, seed: int = 0) -> Path:
    """Write the example photos and their ``boxes.csv`` into ``folder``; return the path of ``boxes.csv``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for example in EXAMPLES:
        image, box = compose_example(example, seed)
        picture = Image.fromarray(image, "RGB")
        path = folder / example.file
        if path.suffix.lower() == ".png":
            picture.save(path, format="PNG", optimize=True)
        elif example.sideways:  # stored on its side, with the tag that tells viewers to turn it upright
            exif = Image.Exif()
            exif[EXIF_ORIENTATION] = ROTATED
            picture.transpose(Image.Transpose.ROTATE_90).save(path, format="JPEG", quality=88, exif=exif)
        else:
            picture.save(path, format="JPEG", quality=88)
        rows.append([example.file, *box, example.number])
    with open(folder / BOXES_FILE, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([*BOX_COLUMNS, "number"])
        writer.writerows(rows)
    return folder / BOXES_FILE


# --- reading a folder of photos ------------------------------------------------------------------

@dataclass
class Photo:
    """One photo: its file, its upright RGB pixels (rows, columns, 3) uint8, its box (left, top, right,
    bottom) or None, and its number when ``boxes.csv`` gives it (else "")."""

    path: Path
    image: np.ndarray
    box: tuple | None = None
    number: str = ""


def photo_files(folder) -> list[Path]:
    """The image files in ``folder`` (PHOTO_SUFFIXES, any case; hidden files left out), sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder: make it, and put your photos in it")
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES
                   and not p.name.startswith(".")), key=lambda p: p.name)


def upright(path) -> np.ndarray:
    """The photo at ``path`` as uint8 RGB (rows, columns, 3), turned as its EXIF orientation says."""
    with Image.open(path) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


def read_boxes(path) -> dict[str, dict]:
    """``{file: {"box": (left, top, right, bottom), "number": "..." or ""}}`` from a boxes.csv ({} if absent)."""
    path = Path(path)
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in BOX_COLUMNS if name not in header]
        if missing:
            raise ValueError(f"{path} needs the columns {', '.join(BOX_COLUMNS)}; it lacks {', '.join(missing)}")
        result = {}
        for line, row in enumerate(reader, start=2):
            row = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
            try:
                box = tuple(int(round(float(row[name]))) for name in BOX_COLUMNS[1:])
            except ValueError:
                raise ValueError(f"{path}, line {line}: left, top, right, bottom must be numbers") from None
            if box[2] <= box[0] or box[3] <= box[1]:
                raise ValueError(f"{path}, line {line}: right must exceed left and bottom must exceed top, got {box}")
            result[row["file"]] = {"box": box, "number": row.get("number", "")}
    return result


def read_photo_folder(folder) -> list[Photo]:
    """Every photo of ``folder``, upright, with its box and number from boxes.csv where given."""
    folder = Path(folder)
    boxes = read_boxes(folder / BOXES_FILE)
    photos = []
    for path in photo_files(folder):
        entry = boxes.get(path.name, {})
        photos.append(Photo(path, upright(path), entry.get("box"), entry.get("number", "")))
    return photos

