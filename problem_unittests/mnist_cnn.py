"""Public tests for assignment 3 (a convolutional network for MNIST). Call each right under your function:

    import problem_unittests.mnist_cnn as tests
    tests.test_one_hot(one_hot)

They run your function on small fixed inputs and say what to look at when
something is off. The model tests check what a model does (output shape,
probabilities, which kinds of layers, how many weights, whether it learns),
never how Keras stores it. Passing them is a good sign, not a grade: the
autograder's hidden tests use data you have not seen.
"""

from __future__ import annotations

import numpy as np

from problem_unittests.checks import check, check_array, passed, public_hooks

# The worked example of the notebook: a 5x5 binary image, a 3x3 kernel, and the 3x3 feature map.
WORKED_IMAGE = np.array([[1, 1, 1, 0, 0],
                         [0, 1, 1, 1, 0],
                         [0, 0, 1, 1, 1],
                         [0, 0, 1, 1, 0],
                         [0, 1, 1, 0, 0]])
WORKED_KERNEL = np.array([[1, 0, 1],
                          [0, 1, 0],
                          [1, 0, 1]])
WORKED_FEATURE_MAP = np.array([[4, 3, 4],
                               [2, 4, 3],
                               [2, 3, 4]])


# --- preparing the data ------------------------------------------------------------------------------

def test_normalize_images(normalize_images) -> None:
    images = np.array([[[0, 255, 128], [64, 1, 254]]], dtype=np.uint8)
    original = images.copy()
    result = check_array(normalize_images(images), name="normalize_images", shape=(1, 2, 3), dtype_kind="f")
    check(np.array_equal(images, original), "normalize_images changed its input: return a new array")
    check(result.dtype == np.float32,
          f"normalize_images should return float32 (what Keras computes in), got {result.dtype}")
    check(np.isclose(result[0, 0, 0], 0.0) and np.isclose(result[0, 0, 1], 1.0),
          f"0 should become 0.0 and 255 should become 1.0, got {result[0, 0, 0]:.4f} and {result[0, 0, 1]:.4f}: "
          "divide by 255 (and do not centre the values: this network takes 0..1)")
    check(np.allclose(result, images.astype(np.float64) / 255, atol=1e-6),
          f"128 should become {128 / 255:.4f}, got {result[0, 0, 2]:.4f}: convert to float before dividing "
          "(integer division, or dividing uint8 values, loses the fractions)")
    passed("normalize_images")


def test_add_channel_axis(add_channel_axis) -> None:
    images = np.arange(3 * 5 * 7, dtype=np.float32).reshape(3, 5, 7)
    original = images.copy()
    result = check_array(add_channel_axis(images), name="add_channel_axis", dtype_kind="f")
    if result.shape == (3, 1, 5, 7):
        check(False, "Wrong shape from add_channel_axis: expected (3, 5, 7, 1), got (3, 1, 5, 7). Keras puts "
                     "the channels last: (images, height, width, channels)")
    check(result.shape == (3, 5, 7, 1), f"Wrong shape from add_channel_axis: expected (3, 5, 7, 1), got "
                                        f"{result.shape}: add one axis of length 1 at the end, keep the others")
    check(np.array_equal(result[..., 0], original),
          "the pixels moved: result[..., 0] should be the input images unchanged (add an axis, do not reshape "
          "the pixels into a new order)")
    check(np.array_equal(images, original), "add_channel_axis changed its input")
    passed("add_channel_axis")


def test_one_hot(one_hot) -> None:
    labels = np.array([3, 0, 2, 2, 1])
    result = one_hot(labels, 4)
    if isinstance(result, np.ndarray) and result.shape == (4, 5):
        check(False, "Wrong shape from one_hot: expected (5, 4), got (4, 5): one ROW per label, one column per "
                     "class (you built the transpose)")
    result = check_array(result, name="one_hot", shape=(5, 4))
    check(result.dtype.kind == "f", f"one_hot should return floats, like keras.utils.to_categorical; got "
                                    f"{result.dtype}")
    check(set(np.unique(result).tolist()) <= {0.0, 1.0} and np.allclose(result.sum(axis=1), 1),
          "each row should hold exactly one 1 and zeros elsewhere")
    found = result.argmax(axis=1)
    if np.array_equal(found, labels - 1) or np.array_equal(found, (labels - 1) % 4):
        check(False, f"the 1s are one column to the left: label 3 should set column 3, label 0 column 0 "
                     f"(got columns {found.tolist()} for labels {labels.tolist()})")
    if np.array_equal(found, (labels + 1) % 4):
        check(False, "the 1s are one column to the right: class indexes start at 0 (label 0 sets column 0)")
    check(np.array_equal(found, labels), f"the 1 of each row should sit in the column of its label: labels "
                                         f"{labels.tolist()}, columns {found.tolist()}")
    wide = one_hot(np.array([0, 1]), 6)
    check(isinstance(wide, np.ndarray) and wide.shape == (2, 6),
          f"one_hot([0, 1], 6) should have 6 columns (number_classes), got shape "
          f"{getattr(wide, 'shape', None)}: use number_classes, not the largest label + 1")
    passed("one_hot")


# --- convolution by hand ----------------------------------------------------------------------------

def _size_hint(input_size, kernel, stride, padding, value) -> str:
    """Why ``value`` is not the output size of (input_size, kernel, stride, padding): the likely slip."""
    right = (input_size - kernel + 2 * padding) // stride + 1
    if value == right - 1:
        return "did you forget the + 1? (a kernel as wide as the input still gives one output)"
    if padding and value == (input_size - kernel) // stride + 1:
        return "did you ignore the padding? It adds `padding` pixels on BOTH sides: + 2 * padding"
    if padding and value == (input_size - kernel + padding) // stride + 1:
        return "padding is added on both sides: + 2 * padding, not + padding"
    if stride > 1 and value == input_size - kernel + 2 * padding + 1:
        return "did you ignore the stride? Divide by it before adding 1"
    if stride > 1 and value == -(-(input_size - kernel + 2 * padding) // stride) + 1:
        return "round DOWN after dividing by the stride (a kernel that would run off the edge is not applied)"
    return "the formula is (input - kernel + 2 * padding) // stride + 1"


def test_conv_output_size(conv_output_size) -> None:
    cases = [(5, 3, 1, 0, 3), (28, 3, 1, 0, 26), (26, 3, 2, 0, 12), (28, 5, 1, 2, 28), (7, 3, 2, 1, 4),
             (32, 5, 3, 0, 10)]
    for input_size, kernel, stride, padding, expected in cases:
        value = conv_output_size(input_size, kernel, stride, padding)
        check(value is not None, "conv_output_size returned None: did you forget a `return`?")
        check(isinstance(value, (int, np.integer)),
              f"conv_output_size should return an int (a number of pixels), got {value!r} "
              f"({type(value).__name__}): use floor division //")
        call = f"conv_output_size({input_size}, {kernel}, {stride}, {padding})"
        check(value == expected, f"{call} should be {expected}, got {value}: "
                                 + _size_hint(input_size, kernel, stride, padding, value))
    passed("conv_output_size")


def _cross_correlation(image, kernel) -> np.ndarray:
    """What Keras' Conv2D computes for one channel, no padding, stride 1: the kernel slides without flipping."""
    rows, columns = image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((rows, columns))
    for row in range(rows):
        for column in range(columns):
            out[row, column] = np.sum(image[row:row + kernel.shape[0], column:column + kernel.shape[1]] * kernel)
    return out


def test_convolve2d(convolve2d) -> None:
    image, kernel = WORKED_IMAGE.copy(), WORKED_KERNEL.copy()
    result = check_array(convolve2d(image, kernel), name="convolve2d", shape=(3, 3), dtype_kind="iuf")
    check(np.array_equal(image, WORKED_IMAGE) and np.array_equal(kernel, WORKED_KERNEL),
          "convolve2d changed its inputs")
    check(np.allclose(result, WORKED_FEATURE_MAP),
          f"on the worked example the feature map should be\n{WORKED_FEATURE_MAP}\ngot\n{np.asarray(result)}\n"
          "each output pixel is the sum of the 3x3 patch under the kernel times the kernel")
    rng = np.random.default_rng(3)
    image = rng.integers(-3, 4, (6, 8)).astype(np.float64)
    kernel = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])  # 3 rows, 2 columns, no symmetry
    result = convolve2d(image, kernel)
    check(isinstance(result, np.ndarray) and result.shape == (4, 7),
          f"a (6, 8) image and a (3, 2) kernel should give a (4, 7) feature map (image - kernel + 1 in each "
          f"direction), got {getattr(result, 'shape', None)}: are rows and columns swapped?")
    expected = _cross_correlation(image, kernel)
    flipped = _cross_correlation(image, kernel[::-1, ::-1])
    if not np.allclose(result, expected) and np.allclose(result, flipped):
        check(False, "you flipped the kernel: that is convolution as signal processing defines it. Keras' Conv2D "
                     "(and this course) slides the kernel as it is (cross-correlation): out[i, j] = "
                     "sum(image[i:i+kh, j:j+kw] * kernel)")
    check(np.allclose(result, expected),
          "wrong values with a 3x2 kernel on a 6x8 image: out[i, j] should be "
          "sum(image[i:i+kh, j:j+kw] * kernel) for a kernel of kh rows and kw columns")
    passed("convolve2d")


# --- the networks -----------------------------------------------------------------------------------

def flat_layers(model) -> list:
    """Every layer of a model, models nested inside it opened up, in order."""
    found = []
    for layer in getattr(model, "layers", []):
        if hasattr(layer, "layers"):
            found.extend(flat_layers(layer))
        else:
            found.append(layer)
    return found


def _of_type(model, *types) -> list:
    return [layer for layer in flat_layers(model) if isinstance(layer, types)]


def _model(build, name: str, sample_shape, classes):
    import keras

    model = build(sample_shape, classes)
    check(model is not None, f"{name} returned None: did you forget a `return`?")
    check(isinstance(model, keras.Model), f"{name} should return a Keras model, got {type(model).__name__}")
    return model


def _check_outputs(model, name: str, sample_shape, classes) -> None:
    inputs = np.random.default_rng(0).random((3, *sample_shape)).astype(np.float32)
    outputs = np.asarray(model(inputs, training=False))
    check(outputs.shape == (3, classes),
          f"{name}{tuple(sample_shape), classes} gives outputs of shape {outputs.shape} for 3 images, expected "
          f"(3, {classes}): use sample_shape and nb_classes, not fixed numbers")
    check(np.all(outputs >= 0) and np.allclose(outputs.sum(axis=1), 1, atol=1e-4),
          f"the outputs of {name} are not probabilities (each row should be >= 0 and sum to 1, got sums "
          f"{np.round(outputs.sum(axis=1), 3).tolist()}): end with a Dense layer with activation='softmax'")


def _check_learns(build, name: str) -> None:
    """Fit 32 small images whose class is the corner holding a bright square: a working network learns them."""
    import keras

    keras.utils.set_random_seed(0)
    sample_shape, classes = (16, 16, 1), 4
    rng = np.random.default_rng(1)
    labels = np.arange(32) % classes
    images = rng.normal(0.2, 0.1, (32, *sample_shape)).astype(np.float32)
    for index, label in enumerate(labels):
        row, column = divmod(int(label), 2)
        images[index, 8 * row + 2:8 * row + 6, 8 * column + 2:8 * column + 6, 0] = 1.0
    model = build(sample_shape, classes)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss="categorical_crossentropy",
                  jit_compile=False)  # XLA would take longer to compile than these few steps take to run
    targets = np.eye(classes, dtype=np.float32)[labels]
    losses = [float(np.asarray(model.train_on_batch(images, targets))) for _ in range(25)]
    first, last = losses[0], float(np.mean(losses[-3:]))
    check(last < 0.5 * first,
          f"{name} does not learn: on 32 easy images its loss went from {first:.3f} to {last:.3f} in 25 steps. "
          "Are some layers frozen (trainable=False), or is an activation missing?")


def _check_layer_counts(model, name: str, conv_filters, dense_units) -> None:
    import keras

    convs = _of_type(model, keras.layers.Conv2D)
    filters = [layer.filters for layer in convs]
    check(filters == list(conv_filters),
          f"{name} should have {len(conv_filters)} Conv2D layers with {' then '.join(map(str, conv_filters))} "
          f"filters, it has {len(convs)}" + (f" with {filters}" if filters else ""))
    dense = _of_type(model, keras.layers.Dense)
    units = [layer.units for layer in dense]
    check(len(dense) == 2 and units[0] == dense_units,
          f"{name} should end with two Dense layers: {dense_units} units, then one per class; it has {units}")
    check(len(_of_type(model, keras.layers.Flatten)) == 1,
          f"{name} needs one Flatten layer between the convolutions and the Dense layers")


def _check_parameters(model, name: str, low: int, high: int, hint: str) -> None:
    count = int(model.count_params())
    check(low <= count <= high, f"{name}((28, 28, 1), 10) has {count:,} parameters, expected between {low:,} and "
                                f"{high:,}: {hint}")


POOLING = ("MaxPooling2D", "AveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling2D")


def _pooling_layers(model) -> list:
    import keras

    return _of_type(model, *(getattr(keras.layers, name) for name in POOLING))


def test_net_1(net_1) -> None:
    import keras

    model = _model(net_1, "net_1", (28, 28, 1), 10)
    _check_outputs(model, "net_1", (28, 28, 1), 10)
    _check_layer_counts(model, "net_1", (32, 64), 128)
    pools = _of_type(model, keras.layers.MaxPooling2D)
    check(len(pools) == 1, f"net_1 should have one MaxPooling2D layer (after the two convolutions), it has "
                           f"{len(pools)}")
    strided = [layer for layer in _of_type(model, keras.layers.Conv2D) if tuple(layer.strides) != (1, 1)]
    check(not strided, "net_1's convolutions move one pixel at a time (strides=1): the pooling layer shrinks the "
                       "feature maps")
    _check_parameters(model, "net_1", 1_150_000, 1_250_000,
                      "3x3 kernels without padding, a 2x2 pool, Dense 128 (the Dense layer holds most of them)")
    _check_outputs(_model(net_1, "net_1", (20, 20, 3), 5), "net_1", (20, 20, 3), 5)
    _check_learns(net_1, "net_1")
    passed("net_1")


def test_net_2(net_2) -> None:
    import keras

    model = _model(net_2, "net_2", (28, 28, 1), 10)
    _check_outputs(model, "net_2", (28, 28, 1), 10)
    pools = _pooling_layers(model)
    check(not pools, f"net_2 should not pool (it has {', '.join(type(p).__name__ for p in pools)}): "
                     "let a strided convolution shrink the feature maps instead")
    _check_layer_counts(model, "net_2", (32, 64), 128)
    strides = [tuple(layer.strides) for layer in _of_type(model, keras.layers.Conv2D)]
    check(strides[1] == (2, 2), f"the second convolution of net_2 should move 2 pixels at a time "
                                f"(strides=2), where net_1 pools; the strides are {strides}")
    _check_parameters(model, "net_2", 1_150_000, 1_250_000,
                      "3x3 kernels without padding, strides=2 in the second convolution only, Dense 128")
    _check_outputs(_model(net_2, "net_2", (20, 20, 3), 5), "net_2", (20, 20, 3), 5)
    _check_learns(net_2, "net_2")
    passed("net_2")


AUGMENTATIONS = ("RandomRotation", "RandomTranslation", "RandomZoom")


def test_net_augmented(net_augmented) -> None:
    import keras

    model = _model(net_augmented, "net_augmented", (28, 28, 1), 10)
    _check_outputs(model, "net_augmented", (28, 28, 1), 10)
    names = {type(layer).__name__ for layer in flat_layers(model)}
    missing = [name for name in AUGMENTATIONS if name not in names]
    check(not missing, f"net_augmented should start with the augmentation layers {', '.join(AUGMENTATIONS)}; "
                       f"it lacks {', '.join(missing)}")
    check(len(_of_type(model, keras.layers.Conv2D)) >= 2, "net_augmented should keep net_1's two convolutions")
    normalised = len(_of_type(model, keras.layers.BatchNormalization))
    check(normalised >= len(_of_type(model, keras.layers.Conv2D)),
          f"net_augmented has {normalised} BatchNormalization layer(s) for "
          f"{len(_of_type(model, keras.layers.Conv2D))} convolutions: put one after each convolution (and after "
          "the Dense 128)")
    types = [type(layer).__name__ for layer in flat_layers(model)]
    late = [name for name in AUGMENTATIONS if types.index(name) > types.index("Conv2D")]
    check(not late, f"{', '.join(late)} come(s) after the first convolution: augment the images first, before "
                    "any convolution sees them (the random layers go right after keras.Input)")
    images = np.random.default_rng(2).random((4, 28, 28, 1)).astype(np.float32)
    first, second = np.asarray(model(images, training=False)), np.asarray(model(images, training=False))
    check(np.allclose(first, second, atol=1e-6),
          "net_augmented gives different answers for the same images at prediction time: augmentation must only "
          "happen during training (Keras' Random* layers do that by themselves; do not augment by hand)")
    _check_learns(net_augmented, "net_augmented")
    passed("net_augmented")


def test_fashion_training(model, history, accuracy, images, labels, *, epochs: int, at_least: float) -> None:
    """Part 6: net_1 trained on Fashion-MNIST for ``epochs`` epochs; ``accuracy`` its accuracy on ``images``."""
    import keras

    check(isinstance(model, keras.Model), f"fashion_model should be a Keras model, got {type(model).__name__}")
    convolutions, pools = _of_type(model, keras.layers.Conv2D), _of_type(model, keras.layers.MaxPooling2D)
    check(len(convolutions) == 2 and len(pools) == 1,
          f"fashion_model should be net_1 (2 Conv2D, 1 MaxPooling2D), it has {len(convolutions)} Conv2D and "
          f"{len(pools)} MaxPooling2D: build it with net_1")
    curves = getattr(history, "history", None)
    check(isinstance(curves, dict) and "val_loss" in curves,
          "fashion_history should be what train returns (a History with a validation curve)")
    check(len(curves["val_loss"]) == epochs,
          f"fashion_history holds {len(curves['val_loss'])} epochs: train for FASHION_EPOCHS ({epochs}) epochs")
    check(isinstance(accuracy, float) and 0 <= accuracy <= 1,
          f"fashion_accuracy should be a float between 0 and 1, got {accuracy!r} ({type(accuracy).__name__}): "
          "take the accuracy from model.evaluate and convert it with float()")
    inputs = (np.asarray(images).astype(np.float32) / 255)[..., None]
    measured = float(np.mean(np.asarray(model.predict(inputs, verbose=0)).argmax(axis=1) == np.asarray(labels)))
    check(abs(measured - accuracy) < 2e-3,
          f"fashion_accuracy is {accuracy:.4f}, but fashion_model reads {measured:.4f} of the test images right: "
          "compute it on the test images (prepared like the training images), not on the training images")
    check(measured >= at_least, f"fashion_model reads {measured:.4f} of the test images right, below {at_least} "
                                "(chance is 0.1): did it train?")
    passed("fashion_training")


# --- training ---------------------------------------------------------------------------------------

def separable_images(count=100, classes=3, seed=4):
    """(images (count, 12, 12, 1) float32, one-hot labels (count, classes)): a bright row gives the class away."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % classes
    images = rng.normal(0, 0.3, (count, 12, 12, 1)).astype(np.float32)
    for label in range(classes):  # a bright bar whose position gives the class away
        images[labels == label, 2 + 3 * label, :, 0] += 1.0
    return images, np.eye(classes, dtype=np.float32)[labels]


def small_model(classes=3):
    """A small, uncompiled convolutional network for 12x12x1 images (seeded)."""
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((12, 12, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                             keras.layers.Flatten(), keras.layers.Dense(classes, activation="softmax")])


def test_train(train) -> None:
    import keras

    images, labels = separable_images()
    model = small_model()

    class CountEpochs(keras.callbacks.Callback):
        epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            CountEpochs.epochs += 1

    history = train(model, images, labels, 10, 3, callbacks=[CountEpochs()])
    check(history is not None, "train returned None: return what model.fit returns (a History)")
    curves = getattr(history, "history", None)
    check(isinstance(curves, dict), f"train should return what model.fit returns (a History), got "
                                    f"{type(history).__name__}")
    check("val_loss" in curves, "no validation curve: pass validation_split=0.1 to model.fit")
    check("accuracy" in curves and "val_accuracy" in curves,
          "no accuracy curve: compile with metrics=['accuracy']")
    check(len(curves["loss"]) == 3, f"train(..., epochs=3) trained {len(curves['loss'])} epochs: pass epochs on")
    check(CountEpochs.epochs == 3, "the callbacks given to train were not called: pass callbacks=callbacks to fit")
    steps = getattr(history, "params", {}).get("steps")
    check(steps == 9, f"with 100 images, batch_size=10 and 10% held out for validation, an epoch should take 9 "
                      f"steps, it took {steps}: pass batch_size on, and validation_split=0.1")
    optimizer = model.optimizer
    check(isinstance(optimizer, keras.optimizers.Adadelta),
          f"compile with keras.optimizers.Adadelta(learning_rate=1.0), not {type(optimizer).__name__}")
    rate = float(np.asarray(optimizer.learning_rate))
    check(np.isclose(rate, 1.0), f"the learning rate is {rate:g}: Adadelta needs learning_rate=1.0 (Keras 3's "
                                 "default, 0.001, makes it crawl)")
    probabilities = np.asarray(model(images, training=False))
    cross_entropy = float(np.mean(-np.sum(labels * np.log(np.clip(probabilities, 1e-7, 1)), axis=1)))
    loss = float(model.evaluate(images, labels, verbose=0)[0])
    check(np.isclose(loss, cross_entropy, rtol=1e-3, atol=1e-4),
          f"the model's loss on these images is {loss:.4f}, their categorical cross-entropy {cross_entropy:.4f}: "
          "compile with loss='categorical_crossentropy'")
    check(curves["loss"][-1] < curves["loss"][0],
          f"the loss did not fall in 3 epochs ({curves['loss'][0]:.3f} -> {curves['loss'][-1]:.3f})")
    passed("train")


public_hooks(globals())  # failures show as hints; errors in your code keep their traceback
