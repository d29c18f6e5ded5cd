"""House numbers: SVHN, a synthetic SVHN made on this machine, and photos of house numbers.

The Street View House Numbers (SVHN, Netzer et al. 2011) cannot be
downloaded everywhere, so this package makes an imitation, **labelled
synthetic wherever it is used**:

>>> from course_lib import data, house_numbers
>>> (x_train, y_train), (x_test, y_test) = data.load("svhn")             # doctest: +SKIP
>>> train, test = house_numbers.load_numbers()                          # doctest: +SKIP
>>> photos = house_numbers.read_photo_folder("my_photos")               # doctest: +SKIP

Modules:

- ``fonts``: the fonts whose digits read as digits, and glyph masks;
- ``backgrounds``: paint, gradients and textures cut from photographs shipped in scikit-image;
- ``render``: a house number drawn on its background (``draw_number``), seen by a camera (``camera``);
- ``artefacts``: light, contrast, blur, noise and JPEG-like artefacts, on a batch of images;
- ``crops``: 32x32 cropped digits (SVHN's "format 2") and the official ``.mat`` layout;
- ``numbers``: whole numbers of 1-5 digits with digitStruct labels and boxes (SVHN's "format 1");
- ``digit_struct``: the real format-1 files (``digitStruct.mat``, MATLAB 7.3);
- ``cache``: the generated sets in the cache, the ``load("svhn")`` stand-in, ``prepare_fast_mode``;
- ``photos``: the example photos, and reading a folder of photos (EXIF orientation, ``boxes.csv``);
- ``plots``: figures of numbers and of photo readings.
"""

from course_lib.house_numbers.cache import ensure_crops, ensure_numbers, prepare_fast_mode, standin
from course_lib.house_numbers.crops import generate_crops, mat_bytes, write_mat
from course_lib.house_numbers.numbers import NumberSet, generate_numbers, load_numbers_file, save_numbers
from course_lib.house_numbers.photos import (
    EXAMPLES,
    Photo,
    photo_files,
    read_boxes,
    read_photo_folder,
    upright,
    write_example_photos,
)
from course_lib.house_numbers.plots import show_numbers, show_photo_readings
from course_lib.house_numbers.sets import load_numbers

__all__ = ["EXAMPLES", "NumberSet", "Photo", "ensure_crops", "ensure_numbers", "generate_crops", "generate_numbers",
           "load_numbers", "load_numbers_file", "mat_bytes", "photo_files", "prepare_fast_mode", "read_boxes",
           "read_photo_folder", "save_numbers", "show_numbers", "show_photo_readings", "standin", "upright",
           "write_example_photos", "write_mat"]
