"""Public tests for assignment 6 (house numbers). Call each right under your function:

    import problem_unittests.house_numbers as tests
    tests.test_scale_images(scale_images)

They run your function on small fixed inputs and say what to look at when
something is off. Passing them is a good sign, not a grade: the autograder's
hidden tests use data you have not seen.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from problem_unittests.checks import PublicTestFailure, check, check_array, passed, public_hooks

BLANK = 10  # the class of an empty position in the multi-digit model's labels


# --- Part 1: cropped digits ----------------------------------------------------------------------

def test_scale_images(scale_images) -> None:
    images = np.array([0, 1, 127, 128, 200, 255], dtype=np.uint8).reshape(1, 1, 2, 3)
    original = images.copy()
    result = check_array(scale_images(images), name="scale_images", shape=(1, 1, 2, 3), dtype_kind="f")
    check(np.array_equal(images, original), "scale_images changed its input: work on a copy (or a new array)")
    check(result.dtype == np.float32, f"scale_images should return float32 (what Keras trains in), got {result.dtype}")
    values = result.reshape(-1)
    check(np.isclose(values[0], -1.0), f"0 should become -1.0, got {values[0]:.4f}: subtract 128, then divide by 128")
    check(np.isclose(values[3], 0.0), f"128 should become 0.0, got {values[3]:.4f}: subtract 128 (not 127.5)")
    check(np.isclose(values[5], 127 / 128),
          f"255 should become 127/128 = 0.9921875 (the range is [-1, 1): 1 itself is never reached), got "
          f"{values[5]:.7f}: divide by 128, not by 127.5 or 255")
    check(np.allclose(values, (np.array([0, 1, 127, 128, 200, 255]) - 128) / 128),
          "some values are off: compute in floating point, (pixel - 128) / 128")
    passed("scale_images")


def _digit_images(count: int, seed: int = 0) -> np.ndarray:
    """Distinct little colour images (count, 4, 4, 3): image i holds i in its first pixels."""
    images = np.random.default_rng(seed).integers(0, 256, (count, 4, 4, 3), dtype=np.uint8)
    images[:, 0, 0, 0] = np.arange(count) % 256
    images[:, 0, 0, 1] = np.arange(count) // 256
    return images


def test_split_validation(split_validation) -> None:
    images = _digit_images(50)
    labels = np.arange(50) % 10
    originals = images.copy(), labels.copy()
    result = split_validation(images, labels, 12, seed=3)
    check(result is not None, "split_validation returned None: did you forget a `return`?")
    check(isinstance(result, tuple) and len(result) == 4,
          "split_validation should return 4 arrays: (train_images, train_labels, valid_images, valid_labels)")
    train_x, train_y, valid_x, valid_y = (np.asarray(part) for part in result)
    check(np.array_equal(images, originals[0]) and np.array_equal(labels, originals[1]),
          "split_validation changed its inputs: index them, do not shuffle them in place")
    check(len(valid_x) == 12 and len(valid_y) == 12,
          f"with size=12 the validation set should hold 12 images, got {len(valid_x)} images and {len(valid_y)} labels")
    check(len(train_x) == 38 and len(train_y) == 38,
          f"the other 38 images are for training, got {len(train_x)} images and {len(train_y)} labels")
    ids = lambda x: (x[:, 0, 0, 0].astype(int) + 256 * x[:, 0, 0, 1].astype(int)).tolist()  # noqa: E731
    train_ids, valid_ids = ids(train_x), ids(valid_x)
    check(not set(train_ids) & set(valid_ids), "some images are both in training and validation: split, do not sample")
    check(sorted(train_ids + valid_ids) == list(range(50)), "some images were lost or repeated by the split")
    check(np.array_equal(train_y, labels[train_ids]) and np.array_equal(valid_y, labels[valid_ids]),
          "labels no longer match their images: index images and labels with the same positions")
    check(valid_ids != list(range(12)) and valid_ids != list(range(38, 50)),
          "the validation images are the first (or last) ones of the file: shuffle first (a file may be ordered, "
          "e.g. by house), with np.random.default_rng(seed)")
    again = split_validation(images, labels, 12, seed=3)
    check(ids(np.asarray(again[2])) == valid_ids,
          "the same seed should give the same split: use np.random.default_rng(seed)")
    other = split_validation(images, labels, 12, seed=4)
    check(ids(np.asarray(other[2])) != valid_ids, "another seed should give another split: use the seed you are given")
    passed("split_validation")


def _layers(model, kind: str) -> list:
    """The layers of ``model`` (and of the models inside it) whose class is ``kind``, e.g. "Conv2D"."""
    found = []
    for layer in model.layers:
        if type(layer).__name__ == kind:
            found.append(layer)
        if hasattr(layer, "layers"):
            found += _layers(layer, kind)
    return found


def test_build_digit_cnn(build_digit_cnn) -> None:
    import keras

    model = build_digit_cnn(input_shape=(32, 32, 3), num_classes=10)
    check(model is not None, "build_digit_cnn returned None: did you forget `return model`?")
    check(isinstance(model, keras.Model), f"build_digit_cnn should return a keras.Model, got {type(model).__name__}")
    check(tuple(model.input_shape) == (None, 32, 32, 3),
          f"the model should take (None, 32, 32, 3) images, it takes {model.input_shape}: start with "
          "keras.Input(shape=input_shape)")
    check(tuple(model.output_shape) == (None, 10),
          f"the model should give 10 class probabilities per image, its output is {model.output_shape}")
    images = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)).astype(np.float32)
    probabilities = np.asarray(model(images, training=False))
    check(np.all(probabilities >= 0) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-4),
          "each row of the output should be probabilities summing to 1: end with a softmax")
    convolutions = _layers(model, "Conv2D")
    check(len(convolutions) == 4, f"the model should have four convolutional blocks of one Conv2D each (one per "
                                  f"entry of widths, four by default), it has {len(convolutions)} Conv2D layer(s)")
    check(len(_layers(model, "MaxPooling2D")) + len(_layers(model, "AveragePooling2D")) >= 3
          or any(layer.strides != (1, 1) for layer in convolutions),
          "the blocks should shrink the image as they go (pooling, or strided convolutions)")
    check(len(_layers(model, "Dropout")) >= 1, "use dropout (keras.layers.Dropout) against overfitting")
    check(len(_layers(model, "Dense")) >= 2, "after the convolutional blocks: a hidden Dense layer, then the output")
    check(model.count_params() < 5_000_000,
          f"{model.count_params():,} parameters is too many to train here: fewer filters or a smaller Dense layer")
    other = build_digit_cnn(input_shape=(28, 28, 1), num_classes=11)
    check(tuple(other.input_shape) == (None, 28, 28, 1) and tuple(other.output_shape) == (None, 11),
          "use the input_shape and num_classes you are given instead of fixed values")
    passed("build_digit_cnn")


def test_crops_accuracy(accuracy, fast_mode: bool) -> None:
    """The trained network's test accuracy (a fraction) against the graded threshold of its mode."""
    check(isinstance(accuracy, (float, np.floating)) and 0 <= accuracy <= 1,
          f"crops_accuracy should be the fraction of test crops read right (a float in [0, 1]), got {accuracy!r}")
    needed = 0.5 if fast_mode else 0.9
    check(accuracy > needed,
          f"the network reads {accuracy:.1%} of the test crops; the graded threshold is more than {needed:.0%} in "
          f"{'fast' if fast_mode else 'full'} mode. Check that build_digit_cnn has batch normalisation and ReLU in "
          "each block and a softmax at the end, and that your settings (MY_CROPS) leave it a learning rate that "
          "learns; then train it again")
    passed("crops_accuracy")


# --- Part 2: whole numbers -----------------------------------------------------------------------

def _box_tuple(result, name: str) -> tuple:
    check(result is not None, f"{name} returned None: did you forget a `return`?")
    check(len(result) == 4, f"{name} should return (left, top, right, bottom), got {result!r}")
    check(all(isinstance(v, (int, np.integer)) for v in result),
          f"{name} should return whole pixels (ints), got {result!r}: round outwards (floor the left and top, "
          "ceil the right and bottom)")
    return tuple(int(v) for v in result)


def test_number_box(number_box) -> None:
    # Two digits: 10..30 and 30..50 wide, 20..60 high. The union is 40 x 40; 30% more is 12 pixels: 6 per side.
    boxes = np.array([[10.0, 20.0, 20.0, 40.0], [30.0, 22.0, 20.0, 38.0]])
    box = _box_tuple(number_box(boxes, (100, 120, 3), 0.0), "number_box")
    check(box != (10, 20, 20, 40), "the box of the number covers all its digits: the union of their boxes")
    check(box == (10, 20, 50, 60),
          f"with enlarge=0 the box is the union of the digit boxes, (10, 20, 50, 60); got {box}. Each digit box "
          "is (left, top, width, height): its right edge is left + width")
    box = _box_tuple(number_box(boxes, (100, 120, 3), 0.3), "number_box")
    check(box not in ((-2, 8, 62, 72), (0, 8, 62, 72)),
          "enlarge=0.3 makes the box 30% larger in all: 15% of its width on each side, not 30% on each side")
    check(box == (4, 14, 56, 66), f"enlarged by 30% (6 pixels on each side) the box is (4, 14, 56, 66); got {box}")
    box = _box_tuple(number_box(np.array([[2.0, 3.0, 30.0, 40.0]]), (45, 34), 0.3), "number_box")
    check(box == (0, 0, 34, 45),
          f"a box reaching past the picture's edges is cut at them: expected (0, 0, 34, 45) for a picture of 45 rows "
          f"and 34 columns, got {box}")
    box = _box_tuple(number_box(np.array([[10.2, 10.7, 9.6, 8.9]]), (100, 100, 3), 0.0), "number_box")
    check(box == (10, 10, 20, 20), f"round outwards to whole pixels: expected (10, 10, 20, 20), got {box}")
    passed("number_box")


def _ringed_picture():
    """A black picture with a white digit area (the union box) and a red ring just inside the enlarged box."""
    image = np.zeros((80, 100, 3), np.uint8)
    boxes = np.array([[30.0, 20.0, 20.0, 40.0], [50.0, 20.0, 20.0, 40.0]])  # union 30..70 x 20..60
    image[20:60, 30:70] = 255
    image[14:20, 24:76] = (255, 0, 0)  # the 15% margins: 6 pixels above, below, left, right
    image[60:66, 24:76] = (255, 0, 0)
    image[14:66, 24:30] = (255, 0, 0)
    image[14:66, 70:76] = (255, 0, 0)
    return image, boxes


def test_crop_number(crop_number) -> None:
    image, boxes = _ringed_picture()
    original = image.copy()
    result = check_array(crop_number(image, boxes), name="crop_number", shape=(64, 64, 3), dtype_kind="u")
    check(result.dtype == np.uint8, f"crop_number should return uint8 pixels, got {result.dtype}")
    check(np.array_equal(image, original), "crop_number changed the picture: crop a copy")
    check(result[:2].mean(axis=(0, 1))[0] > 150 and result[:2].mean(axis=(0, 1))[1] < 100,
          "the top of the crop should be the margin added above the number (red here): crop the enlarged box "
          "(number_box with enlarge=0.3), not the digits' own box")
    check(result[24:40, 24:40].min() > 200, "the middle of the crop should be the digits (white here)")
    check((result.reshape(-1, 3) == 0).all(axis=1).mean() < 0.05,
          "the crop holds much of the background outside the enlarged box: crop image[top:bottom, left:right]")
    small = crop_number(image, boxes, size=32)
    check(np.asarray(small).shape == (32, 32, 3), f"with size=32 the crop should be (32, 32, 3), got {np.shape(small)}")
    passed("crop_number")


def test_crop_windows(crop_windows) -> None:
    images = np.random.default_rng(0).integers(0, 256, (300, 64, 64, 3), dtype=np.uint8)
    centered = check_array(crop_windows(images[:5], 54), name="crop_windows", shape=(5, 54, 54, 3))
    check(np.array_equal(centered, images[:5, 5:59, 5:59]),
          "without rng, take the window in the middle: rows and columns 5 to 58 of a 64x64 image")
    windows = check_array(crop_windows(images, 54, np.random.default_rng(1)), name="crop_windows",
                          shape=(300, 54, 54, 3))
    offsets = []
    for image, window in zip(images, windows):
        found = [(top, left) for top in range(11) for left in range(11)
                 if np.array_equal(image[top:top + 54, left:left + 54], window)]
        check(found != [], "each window should be a 54x54 part of its own image, unchanged (same order as the images)")
        offsets.append(found[0])
    offsets = np.array(offsets)
    check(len({tuple(o) for o in offsets}) > 20, "each image should get its own random window (draw a top and a left "
                                                 "per image)")
    check(offsets.max() == 10 and offsets.min() == 0,
          "the window may start anywhere from 0 to 10 (= 64 - 54) included: rng.integers(0, 64 - 54 + 1)")
    oblong = np.random.default_rng(2).integers(0, 256, (200, 30, 26, 3), dtype=np.uint8)
    centered = check_array(crop_windows(oblong[:3], 20), name="crop_windows")
    check(centered.shape == (3, 20, 20, 3) and np.array_equal(centered, oblong[:3, 5:25, 3:23]),
          "images of 30 rows and 26 columns: the central 20x20 window starts at row (30 - 20) // 2 = 5 and column "
          "(26 - 20) // 2 = 3. Use the images' own rows and columns (images.shape), not 64")
    try:
        windows = crop_windows(oblong, 20, np.random.default_rng(3))
    except ValueError as error:
        raise PublicTestFailure(f"crop_windows failed on random windows of images of 30 rows and 26 columns "
                                f"({error}): draw each start from the image's own rows or columns, not from "
                                "64") from None
    windows = check_array(windows, name="crop_windows", shape=(200, 20, 20, 3))
    starts = set()
    for image, window in zip(oblong, windows):
        found = [(top, left) for top in range(11) for left in range(7)
                 if np.array_equal(image[top:top + 20, left:left + 20], window)]
        check(found != [], "on images of 30 rows and 26 columns, each window should be a 20x20 part of its own image")
        starts.add(found[0])
    check({top for top, _ in starts} == set(range(11)) and {left for _, left in starts} == set(range(7)),
          "on images of 30 rows and 26 columns the top may be 0 to 10 and the left 0 to 6, both included: draw "
          "each from the image's own rows or columns, rng.integers(0, rows - size + 1)")
    passed("crop_windows")


def test_number_labels(number_labels) -> None:
    result = check_array(number_labels([np.array([1, 10]), np.array([3]), np.array([10, 10, 5, 2, 9])]),
                         name="number_labels", shape=(3, 5), dtype_kind="iu")
    check(result[0, 1] != 10,
          "SVHN's label 10 is the digit 0: turn it into 0 (in the model's labels, 10 means an empty position)")
    check(result[0].tolist() == [1, 0, BLANK, BLANK, BLANK],
          f"[1, 10] (the number 10) should become [1, 0, 10, 10, 10], got {result[0].tolist()}: positions after "
          f"the last digit hold BLANK ({BLANK})")
    check(result[1].tolist() == [3, BLANK, BLANK, BLANK, BLANK] and result[2].tolist() == [0, 0, 5, 2, 9],
          f"got {result[1].tolist()} for [3] and {result[2].tolist()} for [10, 10, 5, 2, 9]")
    three = check_array(number_labels([np.array([4, 10]), np.array([10, 10, 7])], max_digits=3),
                        name="number_labels", dtype_kind="iu")
    check(three.shape == (2, 3) and three.tolist() == [[4, 0, BLANK], [0, 0, 7]],
          f"with max_digits=3 the rows have 3 positions: [[4, 0, 10], [0, 0, 7]], got {three.tolist()}: use "
          "max_digits, not 5")
    try:
        number_labels([np.array([1, 2, 3, 4, 5, 6])])
    except ValueError:
        pass
    else:
        check(False, "a number of 6 digits does not fit 5 positions: raise ValueError")
    passed("number_labels")


# --- Part 3: your own photos ---------------------------------------------------------------------

def test_find_photos(find_photos) -> None:
    from PIL import Image

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        pixel = Image.new("RGB", (4, 4), (200, 30, 30))
        for name, kind in [("b_door.JPG", "JPEG"), ("a_gate.png", "PNG"), ("c_wall.jpeg", "JPEG"),
                           ("d_box.webp", "WEBP"), (".hidden.jpg", "JPEG")]:
            pixel.save(folder / name, format=kind)
        (folder / "boxes.csv").write_text("file,left,top,right,bottom\n")
        (folder / "notes.txt").write_text("not a photo")
        (folder / "old").mkdir()
        pixel.save(folder / "old" / "e_inside.png")
        result = find_photos(folder)
        check(result is not None, "find_photos returned None: did you forget a `return`?")
        names = [Path(p).name for p in result]
        check("b_door.JPG" in names, "b_door.JPG is missing: compare suffixes in lower case (phones write .JPG)")
        check("d_box.webp" in names, "d_box.webp is missing: accept the common image types (.jpg, .jpeg, .png, .bmp, "
                                     ".gif, .tif, .tiff, .webp)")
        check(".hidden.jpg" not in names, "leave out hidden files (names starting with a dot)")
        check("boxes.csv" not in names and "notes.txt" not in names, "only image files, not boxes.csv or notes")
        check("e_inside.png" not in names, "only the photos in the folder itself, not in its sub-folders")
        check(names == ["a_gate.png", "b_door.JPG", "c_wall.jpeg", "d_box.webp"],
              f"expected the four photos sorted by name, got {names}")
        check(all(isinstance(p, Path) for p in result), "return pathlib.Path objects (folder / name)")
        try:
            from_text = [Path(p).name for p in find_photos(str(folder))]
        except (AttributeError, TypeError) as error:
            raise PublicTestFailure(f"find_photos failed on a folder given as a string ({error}): folder may be a str "
                                    "(as PHOTO_FOLDER is) or a Path; start with Path(folder)") from None
        check(from_text == names, "a folder given as a string should give the same photos: Path(folder)")
    passed("find_photos")


def test_load_photo(load_photo) -> None:
    from PIL import Image

    upright = np.zeros((30, 50, 3), np.uint8)
    upright[:10] = (255, 0, 0)  # the top third is red
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        exif = Image.Exif()
        exif[0x0112] = 6  # "turn 90 degrees clockwise to show", as phones write it
        Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90).save(folder / "phone.jpg", quality=95, exif=exif)
        Image.fromarray(upright[..., 0]).save(folder / "grey.png")
        Image.fromarray(np.dstack([upright, np.full((30, 50), 255, np.uint8)])).save(folder / "alpha.png")
        photo = check_array(load_photo(folder / "phone.jpg"), name="load_photo", dtype_kind="u")
        check(photo.shape == (30, 50, 3),
              f"the phone photo is stored on its side with an EXIF orientation tag: shown upright it is (30, 50, 3), "
              f"got {photo.shape}. Use PIL.ImageOps.exif_transpose")
        check(photo[:8, :, 0].mean() > 200 and photo[:8, :, 1].mean() < 60,
              "the top of the photo should be red: turn it as its EXIF orientation says (ImageOps.exif_transpose)")
        stored = {3: Image.Transpose.ROTATE_180, 8: Image.Transpose.ROTATE_270, 2: Image.Transpose.FLIP_LEFT_RIGHT}
        corner = np.zeros((30, 50, 3), np.uint8)
        corner[:10, :10] = (255, 0, 0)  # a red top-left corner tells every turn and mirror apart
        for tag, turn in stored.items():
            exif = Image.Exif()
            exif[0x0112] = tag
            Image.fromarray(corner).transpose(turn).save(folder / f"tag{tag}.jpg", quality=95, exif=exif)
            turned = np.asarray(load_photo(folder / f"tag{tag}.jpg"))
            check(turned.shape == (30, 50, 3) and turned[:8, :8, 0].mean() > 200 and turned[:8, -8:, 0].mean() < 60,
                  f"a photo stored with EXIF orientation {tag} does not come back upright: every orientation "
                  "(1 to 8) counts, not only 6. ImageOps.exif_transpose handles them all")
        check(np.asarray(load_photo(folder / "grey.png")).shape == (30, 50, 3),
              "a grey photo should come back with 3 channels: .convert('RGB')")
        check(np.asarray(load_photo(folder / "alpha.png")).shape == (30, 50, 3),
              "a photo with transparency (RGBA) should come back with 3 channels: .convert('RGB')")
    passed("load_photo")


def test_read_boxes(read_boxes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        try:
            missing = read_boxes(folder / "boxes.csv")
        except OSError:
            missing = None
        check(missing == {}, "without a boxes.csv, read_boxes should return {} (the boxes are optional): check "
                             "path.is_file() before opening it")
        (folder / "boxes.csv").write_text("file,left,top,right,bottom,number\n"
                                          "a.jpg,10,20,110,60,27\n"
                                          "b.png, 5 ,6,7.0,8,\n")
        try:
            result = read_boxes(folder / "boxes.csv")
        except ValueError as error:
            raise PublicTestFailure(f"read_boxes failed on a line with spaces and 7.0 ({error}): strip the values and "
                                     "convert them with int(round(float(value)))") from None
        check(isinstance(result, dict), f"read_boxes should return a dict, got {type(result).__name__}")
        check(set(result) == {"a.jpg", "b.png"}, f"expected the files a.jpg and b.png, got {sorted(result)}")
        check(result["a.jpg"] == (10, 20, 110, 60),
              f"a.jpg's box should be the tuple (10, 20, 110, 60), got {result['a.jpg']!r}: convert the text to ints")
        check(result["b.png"] == (5, 6, 7, 8),
              f"b.png's box should be (5, 6, 7, 8), got {result['b.png']!r}: strip spaces, accept 7.0 as 7")
        (folder / "boxes.csv").write_text("top,number,right,file,bottom,left\n2,5,30,c.jpg,9,1\n")
        try:
            result = read_boxes(folder / "boxes.csv")
        except (ValueError, KeyError, IndexError) as error:
            raise PublicTestFailure(f"read_boxes failed on a boxes.csv whose columns are in another order "
                                    f"(top,number,right,file,bottom,left): {type(error).__name__}: {error}. Read "
                                    "the columns by name (csv.DictReader), not by position") from None
        check(result == {"c.jpg": (1, 2, 30, 9)},
              f"with the columns in another order (top,number,right,file,bottom,left) c.jpg's box is (1, 2, 30, 9), "
              f"got {result!r}: read the columns by name (csv.DictReader), not by position")
    passed("read_boxes")


def _heads(*rows) -> np.ndarray:
    """(5, 11) probabilities: each row puts ``p`` on its class and spreads the rest evenly."""
    table = np.zeros((5, 11))
    for position, (label, p) in enumerate(rows):
        table[position] = (1 - p) / 10
        table[position, label] = p
    return table


def test_read_number(read_number) -> None:
    sure = _heads((2, 0.99), (7, 0.98), (BLANK, 0.99), (BLANK, 0.99), (BLANK, 0.99))
    result = read_number(sure, 0.5)
    check(isinstance(result, tuple) and len(result) == 2,
          f"read_number should return (text, confidence), got {result!r}")
    text, confidence = result
    check(text == "27", f"heads reading 2, 7, blank, blank, blank should read '27', got {text!r}")
    expected = 0.99 * 0.98 * 0.99 ** 3
    check(not np.isclose(confidence, 0.99 * 0.98),
          "the confidence is the product of all five heads' highest probabilities, the blank heads included")
    check(np.isclose(confidence, expected), f"the confidence should be {expected:.4f} (the product of the five heads' "
                                            f"highest probabilities), got {confidence}")
    gap = _heads((4, 0.9), (BLANK, 0.9), (5, 0.9), (BLANK, 0.9), (BLANK, 0.9))
    check(read_number(gap, 0.1)[0] == "4", "read the digits up to the first blank: what follows a blank is not part "
                                           "of the number")
    unsure = _heads((1, 0.6), (9, 0.5), (BLANK, 0.9), (BLANK, 0.9), (BLANK, 0.9))
    check(read_number(unsure, 0.5)[0] == "not sure",
          f"below the threshold the reading should be 'not sure' (confidence {0.6 * 0.5 * 0.9 ** 3:.3f} < 0.5)")
    check(read_number(unsure, 0.2)[0] == "19", "at or above the threshold, give the digits")
    passed("read_number")


public_hooks(globals())  # failures show as hints; errors in your code keep their traceback
