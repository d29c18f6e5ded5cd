"""Public tests for assignment 2 (from softmax to a regularised network). Call each right under your function:

    import problem_unittests.fundamentals as tests
    tests.test_softmax(softmax)

They run your function on small fixed inputs and say what to look at when
something is off. Passing them is a good sign, not a grade: the autograder's
hidden tests use inputs you have not seen.

Layout used throughout: one example per ROW. Scores and probabilities are
(N, K) for N examples and K classes (a single example may be a vector (K,)),
inputs (N, D), weights (D, K), biases (K,).
"""

from __future__ import annotations

import warnings

import numpy as np

from problem_unittests.checks import PublicTestFailure, check, check_array, passed, public_hooks


def _quietly(function, *args, **kwargs):
    """Call ``function`` with numpy's overflow and divide warnings silenced (the checks say what went wrong)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args, **kwargs)


def _call(function, *args, name: str, hint: str = "", **kwargs):
    """``function(*args)``. A crash keeps its traceback into the student's code, with a note naming the call
    (and ``hint``, what to look at)."""
    try:
        return _quietly(function, *args, **kwargs)
    except Exception as error:
        shown = ", ".join(_describe(a) for a in args)
        error.add_note(f"This happened when the public test called {name}({shown})." + (f" {hint}" if hint else ""))
        raise


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    return repr(value) if not callable(value) else getattr(value, "__name__", "a function")


def _reference_softmax(scores):
    scores = np.asarray(scores, dtype=np.float64)
    exps = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def _problem(seed: int = 0, n: int = 6, d: int = 5, k: int = 4):
    """A tiny softmax-regression problem in float64: inputs (n, d), weights (d, k), biases (k,), one-hot (n, k)."""
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(n, d))
    weights = rng.normal(scale=0.5, size=(d, k))
    biases = rng.normal(scale=0.1, size=k)
    targets = np.eye(k)[rng.integers(0, k, n)]
    return inputs, weights, biases, targets


def _centred_gradient(f, x, h=1e-5):
    """Centred differences of the scalar f() with respect to every entry of x (changed in place, then restored)."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f()
        x[index] = saved - h
        minus = f()
        x[index] = saved
        gradient[index] = (plus - minus) / (2 * h)
    return gradient


def _relative_error(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# --- Part 1: softmax -------------------------------------------------------------------------------------------

def test_softmax(softmax) -> None:
    scores = np.array([3.0, 1.0, 0.2])
    result = check_array(_call(softmax, scores.copy(), name="softmax",
                               hint="A single example is a vector (K,): normalise over axis=-1, which works for "
                                    "(K,) and (N, K)"), name="softmax", shape=(3,), dtype_kind="f")
    check(np.allclose(result, _reference_softmax(scores), atol=1e-6),
          f"softmax([3.0, 1.0, 0.2]) should be about [0.836, 0.113, 0.051], got {np.round(result, 3).tolist()}: "
          "exp(score) / sum of exp(scores)")

    batch = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0], [-2.0, 0.0, 2.0, 0.5]])
    result = check_array(_call(softmax, batch.copy(), name="softmax"), name="softmax", shape=(3, 4), dtype_kind="f")
    check(np.allclose(result.sum(axis=1), 1.0, atol=1e-6),
          f"each ROW (one example's scores) should sum to 1, the rows sum to {np.round(result.sum(axis=1), 3)}: "
          "normalise over the last axis (axis=-1), not over the examples (axis=0)")
    check(np.allclose(result, _reference_softmax(batch), atol=1e-6),
          "the rows sum to 1 but the values are wrong: exp(score) / sum of exp(scores) in the same row")

    large = np.array([1000.0, 1001.0, 1002.0])
    result = _call(softmax, large.copy(), name="softmax")
    check(result is not None and np.all(np.isfinite(result)),
          "softmax([1000, 1001, 1002]) gave nan or inf: exp(1000) overflows. Subtract the largest score of each "
          "row first (softmax(x - c) == softmax(x) for any constant c)")
    check(np.allclose(result, _reference_softmax([0.0, 1.0, 2.0]), atol=1e-6),
          f"softmax([1000, 1001, 1002]) should equal softmax([0, 1, 2]) = [0.090, 0.245, 0.665], got "
          f"{np.round(np.asarray(result, float), 3).tolist()}")
    rows = np.array([[1000.0, 0.0], [-1000.0, 0.0]])
    result = _call(softmax, rows.copy(), name="softmax")
    check(np.all(np.isfinite(result)) and np.allclose(result, [[1.0, 0.0], [0.0, 1.0]], atol=1e-6),
          "softmax([[1000, 0], [-1000, 0]]) should be [[1, 0], [0, 1]] without nan: subtract each ROW's own "
          "maximum (keepdims=True), not one maximum for the whole batch")
    passed("softmax")


# --- Part 2: one-hot and cross-entropy -------------------------------------------------------------------------

def test_one_hot(one_hot) -> None:
    labels = np.array([2, 0, 3, 3, 1])
    result = check_array(_call(one_hot, labels.copy(), 4, name="one_hot"), name="one_hot", shape=(5, 4),
                         dtype_kind="f")
    check(set(np.unique(result).tolist()) <= {0.0, 1.0} and np.allclose(result.sum(axis=1), 1),
          "each row should hold a single 1 and zeros elsewhere")
    check(np.array_equal(result.argmax(axis=1), labels),
          f"row i should have its 1 in column labels[i]: for labels {labels.tolist()} the 1s are in columns "
          f"{result.argmax(axis=1).tolist()}")
    wide = _call(one_hot, np.array([1]), 10, name="one_hot")
    check(np.shape(wide) == (1, 10), f"one_hot([1], 10) should have 10 columns (num_classes), got shape "
                                      f"{np.shape(wide)}")
    passed("one_hot")


def test_cross_entropy(cross_entropy) -> None:
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.25, 0.5]])
    targets = np.eye(3)[[0, 1, 0]]
    expected = -np.mean(np.log([0.7, 0.8, 0.25]))
    value = _call(cross_entropy, probabilities, targets, name="cross_entropy")
    check(value is not None, "cross_entropy returned None: did you forget a `return`?")
    check(np.ndim(value) == 0, f"cross_entropy should return one number (the mean over the batch), got shape "
                               f"{np.shape(value)}")
    value = float(value)
    check(value > 0, f"cross-entropy is never negative, got {value:.4f}: it is MINUS the sum of y * log(p)")
    check(not np.isclose(value, expected * 3),
          f"got {value:.4f}, the SUM over the 3 examples; take the mean over the batch ({expected:.4f})")
    check(np.isclose(value, expected, atol=1e-6),
          f"expected {expected:.4f} (the mean of -log(probability of the true class)), got {value:.4f}")
    certain = _call(cross_entropy, np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]), np.eye(3)[[0, 1]],
                    name="cross_entropy")
    check(certain is not None and np.isclose(float(certain), np.log(2) / 2),
          f"probabilities [[1, 0, 0], [0, 0.5, 0.5]] for the classes [0, 1] should give (0 + log 2) / 2 = 0.3466, "
          f"got {certain}: where a probability is exactly 0, y * log(p) = 0 * (-inf) is nan. Take the log of the "
          "true class's probability only, np.sum(one_hot_labels * probabilities, axis=1)")
    passed("cross_entropy")


def test_cross_entropy_from_scores(cross_entropy_from_scores) -> None:
    scores = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    targets = np.eye(3)[[0, 2]]
    expected = float(-np.mean(np.log(_reference_softmax(scores)[[0, 1], [0, 2]])))
    value = _call(cross_entropy_from_scores, scores, targets, name="cross_entropy_from_scores")
    check(value is not None and np.ndim(value) == 0,
          "cross_entropy_from_scores should return one number (the mean over the batch)")
    value = float(value)
    check(not np.isclose(value, 2 * expected),
          f"got {value:.4f}, the SUM over the 2 examples; take the mean over the batch ({expected:.4f})")
    check(np.isfinite(value) and np.isclose(value, expected, atol=1e-6),
          f"expected {expected:.4f} (the same as cross_entropy(softmax(scores), labels)), got {value:.4f}")
    extreme = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    extreme_targets = np.eye(3)[[1, 0]]
    value = _call(cross_entropy_from_scores, extreme, extreme_targets, name="cross_entropy_from_scores")
    want = (1000.0 + np.log(3.0)) / 2
    check(value is not None and np.isfinite(float(value)),
          f"scores [1000, 0, -1000] with the true class 1 gave {value}: the loss is large but finite (1000). "
          "Do not take the log of a softmax that rounded to 0: use log(softmax(s)) = s - logsumexp(s), with "
          "logsumexp(s) = max(s) + log(sum(exp(s - max(s))))")
    check(np.isclose(float(value), want, rtol=1e-6),
          f"expected {want:.4f} for those scores (mean of 1000 and log 3), got {float(value):.4f}")
    passed("cross_entropy_from_scores")


# --- Part 3: numbers on a computer ------------------------------------------------------------------------------

def test_standardize(standardize) -> None:
    rng = np.random.default_rng(3)
    train = (rng.normal(0.2, 0.3, (40, 6, 6))).astype(np.float32)
    test = (rng.normal(-0.1, 0.15, (12, 6, 6))).astype(np.float32)
    before_train, before_test = train.copy(), test.copy()
    result = _call(standardize, train, test, name="standardize")
    check(isinstance(result, (tuple, list)) and len(result) == 2,
          "standardize(train, test) should return a tuple with one array per argument: (train, test)")
    new_train, new_test = result
    check_array(new_train, name="standardize", shape=train.shape, dtype_kind="f")
    check_array(new_test, name="standardize", shape=test.shape, dtype_kind="f")
    check(np.array_equal(train, before_train) and np.array_equal(test, before_test),
          "standardize changed its inputs: return new arrays")
    check(new_train.dtype == np.float32 and new_test.dtype == np.float32,
          f"keep float32 (half the memory of float64), got {new_train.dtype} and {new_test.dtype}")
    check(abs(float(new_train.mean())) < 1e-4 and abs(float(new_train.std()) - 1) < 1e-3,
          f"the training images should have mean 0 and standard deviation 1 afterwards, got "
          f"{float(new_train.mean()):.3f} and {float(new_train.std()):.3f}: compute the mean and the standard "
          "deviation on the TRAINING images only (the first argument), not on another set")
    mean, std = float(train.mean()), float(train.std())
    own = (test - test.mean()) / test.std()
    check(not np.allclose(new_test, own, atol=1e-4),
          "the test images were standardized with their OWN mean and standard deviation: compute both on the "
          "TRAINING images only, and apply those same two numbers to every other set")
    per_pixel = (test - train.mean(axis=0)) / train.std(axis=0)
    check(not np.allclose(new_test, per_pixel, atol=1e-4),
          "use one mean and one standard deviation over ALL the pixels of the training images (not one per pixel)")
    check(np.allclose(new_test, (test - mean) / std, atol=1e-4),
          "the test images should become (test - mean of train) / (standard deviation of train)")
    valid = test[:3] + 0.25
    three = _call(standardize, train, valid, test, name="standardize")
    check(isinstance(three, (tuple, list)) and len(three) == 3,
          "standardize(train, valid, test) should return three arrays: one per argument")
    check(all(np.shape(result) == np.shape(images) for result, images in zip(three, (train, valid, test))),
          "standardize(train, valid, test) should return arrays of the shapes of train, valid and test, in that order")
    check(all(np.allclose(result, (images - mean) / std, atol=1e-4)
              for result, images in zip(three[1:], (valid, test))),
          "standardize(train, valid, test): EVERY set after the first becomes (set - mean of train) / (standard "
          "deviation of train), the last one too")
    passed("standardize")


def _initial(function, name: str, n_in: int, n_out: int, *args) -> tuple[np.ndarray, np.ndarray]:
    """``function(n_in, n_out, *args)`` returned float32 (weights (n_in, n_out), zero biases (n_out,))."""
    result = _call(function, n_in, n_out, *args, name=name)
    check(isinstance(result, (tuple, list)) and len(result) == 2, f"{name} should return (weights, biases)")
    weights, biases = result
    check_array(weights, name=f"{name} (weights)", shape=(n_in, n_out), dtype_kind="f")
    check_array(biases, name=f"{name} (biases)", shape=(n_out,), dtype_kind="f")
    check(weights.dtype == np.float32 and biases.dtype == np.float32,
          f"use float32 for the weights and biases, got {weights.dtype} and {biases.dtype}")
    check(not np.any(biases), "the biases should start at zero")
    return weights, biases


def test_init_weights(init_weights) -> None:
    weights, biases = _initial(init_weights, "init_weights", 300, 200, 0.05, 1)
    check(abs(float(weights.mean())) < 0.002,
          f"the weights should have mean 0, got {float(weights.mean()):.4f}: draw them from a normal distribution "
          "centred on 0")
    std = float(weights.std())
    check(abs(std - 0.05) < 0.002,
          f"with sigma=0.05 the weights should have standard deviation 0.05, got {std:.4f}"
          + (": sigma is the standard deviation, not the variance" if abs(std - np.sqrt(0.05)) < 0.01 else ""))
    inside = float(np.mean(np.abs(weights) < 0.05))
    check(abs(inside - 0.683) < 0.02,
          f"{inside:.0%} of the weights lie within one sigma of 0; a normal distribution has 68%: use "
          "rng.normal (a uniform distribution has other proportions)")
    again = _call(init_weights, 300, 200, 0.05, 1, name="init_weights")[0]
    check(np.array_equal(again, weights), "the same seed should give the same weights: use "
                                          "np.random.default_rng(seed)")
    other = _call(init_weights, 300, 200, 0.05, 2, name="init_weights")[0]
    check(not np.array_equal(other, weights), "a different seed should give different weights")
    passed("init_weights")


# --- Part 4: softmax regression in numpy ---------------------------------------------------------------------------

def test_forward(forward) -> None:
    inputs, weights, biases, _ = _problem(seed=4)
    before = inputs.copy()
    result = check_array(_call(forward, inputs, weights, biases, name="forward"), name="forward", shape=(6, 4),
                         dtype_kind="f")
    check(np.array_equal(inputs, before), "forward changed its inputs")
    check(np.allclose(result.sum(axis=1), 1, atol=1e-6) and result.min() >= 0,
          "each row of forward's result should be probabilities summing to 1: apply softmax to the scores")
    expected = _reference_softmax(inputs @ weights + biases)
    check(not np.allclose(result, _reference_softmax(inputs @ weights), atol=1e-6),
          "the biases are missing: scores = inputs @ weights + biases")
    check(np.allclose(result, expected, atol=1e-6),
          "wrong probabilities: scores = inputs @ weights + biases, then softmax over each row")
    passed("forward")


def test_loss_and_gradient(loss_and_gradient) -> None:
    inputs, weights, biases, targets = _problem(seed=5)
    result = _call(loss_and_gradient, inputs, weights.copy(), biases.copy(), targets, 0.0, name="loss_and_gradient")
    check(isinstance(result, (tuple, list)) and len(result) == 3,
          "loss_and_gradient should return (loss, grad_weights, grad_biases)")
    loss, grad_weights, grad_biases = result
    check(np.ndim(loss) == 0, f"the loss should be one number, got shape {np.shape(loss)}")
    check_array(grad_weights, name="loss_and_gradient (grad_weights)", shape=weights.shape, dtype_kind="f")
    check_array(grad_biases, name="loss_and_gradient (grad_biases)", shape=biases.shape, dtype_kind="f")
    probabilities = _reference_softmax(inputs @ weights + biases)
    expected_loss = float(-np.mean(np.sum(targets * np.log(probabilities), axis=1)))
    check(np.isclose(float(loss), expected_loss, rtol=1e-6),
          f"loss {float(loss):.5f}, expected {expected_loss:.5f}: the mean cross-entropy over the batch")

    def loss_at():
        return float(loss_and_gradient(inputs, weights, biases, targets, 0.0)[0])

    numeric_weights = _quietly(_centred_gradient, loss_at, weights)
    numeric_biases = _quietly(_centred_gradient, loss_at, biases)
    n = len(inputs)
    check(not np.allclose(grad_weights, -numeric_weights, rtol=1e-4, atol=1e-8),
          "the gradient points the wrong way (it is minus the true gradient): d loss / d scores is "
          "probabilities - one_hot_labels, not one_hot_labels - probabilities")
    check(not np.allclose(grad_weights, n * numeric_weights, rtol=1e-4, atol=1e-8),
          f"the gradient is {n} times too large (the batch size): the loss is a MEAN over the batch, so divide the "
          "gradient by the number of examples too")
    error = _relative_error(grad_weights, numeric_weights)
    check(error < 1e-6,
          f"grad_weights disagrees with centred differences (relative error {error:.1e}, expected below 1e-6): "
          "grad_weights = inputs.T @ (probabilities - one_hot_labels) / N")
    error = _relative_error(grad_biases, numeric_biases)
    check(error < 1e-6,
          f"grad_biases disagrees with centred differences (relative error {error:.1e}): "
          "grad_biases = the sum over the batch of (probabilities - one_hot_labels) / N")

    l2 = 0.1
    loss2, grad_weights2, grad_biases2 = _call(loss_and_gradient, inputs, weights.copy(), biases.copy(), targets, l2,
                                               name="loss_and_gradient")
    penalty = l2 * float(np.sum(weights ** 2))
    check(np.isclose(float(loss2), expected_loss + penalty, rtol=1e-6),
          f"with l2={l2} the loss should grow by l2 * sum(weights ** 2) = {penalty:.5f}, it grew by "
          f"{float(loss2) - float(loss):.5f}" + (" (penalise the weights only, not the biases)"
                                                 if np.isclose(float(loss2) - float(loss),
                                                               penalty + l2 * float(np.sum(biases ** 2))) else ""))

    def loss_l2():
        return float(loss_and_gradient(inputs, weights, biases, targets, l2)[0])

    numeric_l2 = _quietly(_centred_gradient, loss_l2, weights)
    error = _relative_error(grad_weights2, numeric_l2)
    check(error < 1e-6,
          f"with l2={l2}, grad_weights disagrees with centred differences (relative error {error:.1e}): the L2 "
          "term adds 2 * l2 * weights to the gradient")
    check(np.allclose(grad_biases2, grad_biases, atol=1e-10),
          "with L2, the bias gradient should not change: the biases are not penalised")
    loss32, *grads32 = _call(loss_and_gradient, *(a.astype(np.float32) for a in (inputs, weights, biases, targets)),
                             l2, name="loss_and_gradient")
    _check_float32_out("loss_and_gradient", loss32, grads32, l2)
    passed("loss_and_gradient")


def _check_float32_out(name: str, loss, grads, l2: float) -> None:
    """What ``name`` returned for float32 arrays (and a Python float l2): a finite loss and float32 gradients."""
    dtypes = [str(np.asarray(g).dtype) for g in grads]
    check(loss is not None and np.isfinite(float(loss)), f"{name} on float32 inputs gave the loss {loss}")
    check(all(d == "float32" for d in dtypes),
          f"{name} on float32 inputs (with l2={l2}) returned gradients of dtypes {', '.join(dtypes)}: float32 in, "
          "float32 out (training computes in float32, twice as fast as in float64). Keep the dtype of the inputs: "
          "no .astype(float) or np.float64(...), and no float64 arrays of your own (np.eye(k), np.zeros(n) without "
          "a dtype) in the computation")


def test_numerical_gradient(numerical_gradient) -> None:
    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    calls = []

    def cubic(point):
        calls.append(1)
        return float(np.sum(point ** 3) + point[0] * point[1])

    exact = 3 * before ** 2 + np.array([before[1], before[0], 0.0])
    result = check_array(_call(numerical_gradient, cubic, x, 1e-4, name="numerical_gradient"),
                         name="numerical_gradient", shape=(3,), dtype_kind="f")
    check(np.allclose(x, before), "numerical_gradient left x changed: put each entry back after changing it")
    check(not np.allclose(result, 2 * exact, rtol=1e-3),
          "every value is twice too large: centred differences divide by 2h, (f(x + h) - f(x - h)) / (2h)")
    error = _relative_error(result, exact)
    check(error < 1e-7,
          f"relative error {error:.1e} against the exact gradient (expected below 1e-7 with h=1e-4): use centred "
          "differences, (f(x + h) - f(x - h)) / (2h); a one-sided difference (f(x + h) - f(x)) / h is far less "
          "accurate")
    check(len(calls) <= 2 * x.size + 1, f"f was called {len(calls)} times for 3 entries: two calls per entry suffice")
    matrix = np.arange(6, dtype=np.float64).reshape(2, 3) / 10
    result = _call(numerical_gradient, lambda m: float(np.sum(m ** 2)), matrix.copy(), name="numerical_gradient")
    check(np.shape(result) == (2, 3) and np.allclose(result, 2 * matrix, atol=1e-6),
          "numerical_gradient should work for an array of any shape (a weight matrix (D, K)): loop over "
          "np.ndindex(x.shape), or over x.flat")
    passed("numerical_gradient")


def _params(seed: int = 6):
    rng = np.random.default_rng(seed)
    return ([rng.normal(size=(3, 2)), rng.normal(size=2)], [rng.normal(size=(3, 2)), rng.normal(size=2)])


def test_sgd_step(sgd_step) -> None:
    params, grads = _params()
    original = [p.copy() for p in params]
    result = _call(sgd_step, [p.copy() for p in params], grads, 0.1, name="sgd_step")
    check(isinstance(result, (list, tuple)) and len(result) == 2,
          "sgd_step should return the list of updated parameters, [weights, biases]")
    expected = [p - 0.1 * g for p, g in zip(original, grads)]
    check(not all(np.allclose(r, p + 0.1 * g) for r, p, g in zip(result, original, grads)),
          "the step goes UP the gradient: subtract learning_rate * gradient to go down")
    check(all(np.allclose(r, e) for r, e in zip(result, expected)),
          "each parameter should become parameter - learning_rate * its gradient")
    smaller = _call(sgd_step, [p.copy() for p in original], grads, 0.01, name="sgd_step")
    check(np.allclose(smaller[0], original[0] - 0.01 * grads[0]), "use the learning_rate argument")
    passed("sgd_step")


def test_momentum_step(momentum_step) -> None:
    params, grads = _params(seed=7)
    velocities = [np.full_like(p, 0.5) for p in params]
    original = [p.copy() for p in params]
    result = _call(momentum_step, [p.copy() for p in params], grads, [v.copy() for v in velocities], 0.1, 0.9,
                   name="momentum_step")
    check(isinstance(result, (list, tuple)) and len(result) == 2,
          "momentum_step should return (params, velocities), each a list [weights, biases]")
    new_params, new_velocities = result
    expected_velocities = [0.9 * v - 0.1 * g for v, g in zip(velocities, grads)]
    check(len(new_velocities) == 2 and all(np.shape(v) == np.shape(e)
                                           for v, e in zip(new_velocities, expected_velocities)),
          "return one velocity per parameter, each of the parameter's shape")
    check(not all(np.allclose(v, -0.1 * g) for v, g in zip(new_velocities, grads)),
          "the new velocity ignores the old one: velocity = momentum * velocity - learning_rate * gradient")
    check(all(np.allclose(v, e) for v, e in zip(new_velocities, expected_velocities)),
          "velocity should become momentum * velocity - learning_rate * gradient")
    check(all(np.allclose(p, o + e) for p, o, e in zip(new_params, original, expected_velocities)),
          "each parameter should move by its NEW velocity: parameter + velocity")
    zero = [np.zeros_like(p) for p in params]
    plain = _call(momentum_step, [p.copy() for p in original], grads, zero, 0.1, 0.0, name="momentum_step")[0]
    check(np.allclose(plain[0], original[0] - 0.1 * grads[0]),
          "with momentum 0 and zero velocities, a momentum step should be a plain SGD step")
    passed("momentum_step")


def test_decayed_learning_rate(decayed_learning_rate) -> None:
    rate = _call(decayed_learning_rate, 0.5, 0, 0.9, 100, name="decayed_learning_rate")
    check(rate is not None and np.ndim(rate) == 0, "decayed_learning_rate should return one number")
    check(np.isclose(float(rate), 0.5), f"at step 0 the rate should be the initial rate 0.5, got {float(rate)}")
    rate = float(_call(decayed_learning_rate, 0.5, 100, 0.9, 100, name="decayed_learning_rate"))
    check(np.isclose(rate, 0.45), f"after decay_steps steps the rate should be 0.5 * 0.9 = 0.45, got {rate}")
    rate = float(_call(decayed_learning_rate, 0.5, 250, 0.9, 100, name="decayed_learning_rate"))
    smooth = 0.5 * 0.9 ** 2.5
    check(not np.isclose(rate, 0.5 * 0.9 ** 2),
          f"after 250 steps the rate is {rate:.4f}, as if 200: decay smoothly, decay_rate ** (step / decay_steps) "
          "(not step // decay_steps)")
    check(np.isclose(rate, smooth),
          f"after 250 steps the rate should be 0.5 * 0.9 ** 2.5 = {smooth:.4f}, got {rate:.4f}")
    passed("decayed_learning_rate")


# --- Parts 5 and 6: Keras ----------------------------------------------------------------------------------------

def _keras_data(seed: int = 8, n: int = 64, d: int = 12, k: int = 3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 2, (k, d))
    labels = np.arange(n) % k
    inputs = (centres[labels] + rng.normal(0, 0.5, (n, d))).astype(np.float32)
    return inputs, labels


def _weight_shapes(model) -> list:
    return [tuple(w.shape) for w in model.trainable_weights]


def _predict(model, inputs, training=False) -> np.ndarray:
    return np.asarray(model(inputs, training=training))


def _check_probabilities(model, inputs, k: int, name: str) -> None:
    out = _predict(model, inputs)
    check(out.shape == (len(inputs), k), f"{name}'s output should be (N, {k}) for {len(inputs)} inputs, got "
                                         f"{out.shape}")
    check(out.min() >= 0 and np.allclose(out.sum(axis=1), 1, atol=1e-5),
          f"{name}'s outputs should be probabilities summing to 1: give the last Dense layer a softmax activation")


def _loss(model, inputs, labels) -> float:
    """The compiled loss of ``model`` on the whole batch, at inference (what ``evaluate`` reports first)."""
    result = model.evaluate(inputs, labels, verbose=0, batch_size=len(inputs))
    return float(result[0] if isinstance(result, (list, tuple)) else result)


def _check_compiled_loss(model, inputs, labels, name: str, penalty: float = 0.0) -> float:
    check(getattr(model, "optimizer", None) is not None, f"compile {name}'s model (model.compile) before returning it")
    try:
        loss = _loss(model, inputs, labels)
    except Exception as error:
        raise PublicTestFailure(f"{name}'s model cannot be evaluated on integer labels: {error}. Compile it with "
                                 "loss='sparse_categorical_crossentropy'") from None
    probabilities = _predict(model, inputs).astype(np.float64)
    expected = float(-np.mean(np.log(probabilities[np.arange(len(labels)), labels])))
    check(np.isclose(loss, expected + penalty, rtol=1e-3, atol=1e-4),
          f"{name}'s loss is {loss:.4f}, expected {expected + penalty:.4f}: compile with "
          "loss='sparse_categorical_crossentropy' (labels are integers, the outputs probabilities)")
    return loss


def test_build_softmax_model(build_softmax_model) -> None:
    import keras

    inputs, labels = _keras_data()
    keras.utils.set_random_seed(0)
    model = _call(build_softmax_model, 12, 3, name="build_softmax_model")
    check(isinstance(model, keras.Model), f"build_softmax_model should return a Keras model, got "
                                          f"{type(model).__name__}")
    shapes = _weight_shapes(model)
    check(shapes == [(12, 3), (3,)],
          f"softmax regression is ONE Dense layer: weights (12, 3) and biases (3,) for 12 inputs and 3 classes; "
          f"the model's weights have shapes {shapes}")
    _check_probabilities(model, inputs, 3, "build_softmax_model")
    before = _check_compiled_loss(model, inputs, labels, "build_softmax_model")
    model.fit(inputs, labels, epochs=5, batch_size=16, verbose=0)
    after = _loss(model, inputs, labels)
    check(after < before, f"5 epochs of training did not lower the loss ({before:.3f} -> {after:.3f}): check the "
                          "optimizer and its learning rate")
    passed("build_softmax_model")


def test_build_network(build_network) -> None:
    import keras

    inputs, labels = _keras_data(seed=9, d=16, k=4)
    plain = _call(build_network, 16, 4, hidden_units=32, l2=0.0, dropout=0.0, seed=1, name="build_network")
    check(isinstance(plain, keras.Model), f"build_network should return a Keras model, got {type(plain).__name__}")
    shapes = _weight_shapes(plain)
    check(shapes == [(16, 32), (32,), (32, 4), (4,)],
          f"with 16 inputs, hidden_units=32 and 4 classes the network has two Dense layers, weights "
          f"[(16, 32), (32,), (32, 4), (4,)]; this one has {shapes}")
    _check_probabilities(plain, inputs, 4, "build_network")
    _check_compiled_loss(plain, inputs, labels, "build_network")
    again = _call(build_network, 16, 4, hidden_units=32, l2=0.0, dropout=0.0, seed=1, name="build_network")
    check(all(np.array_equal(a, b) for a, b in zip(again.get_weights(), plain.get_weights())),
          "two networks built with seed=1 start from different weights: call keras.utils.set_random_seed(seed) "
          "first, before making any layer")
    check(np.allclose(_predict(plain, inputs, training=True), _predict(plain, inputs), atol=1e-6),
          "with dropout=0.0 the network should behave the same in training and at inference: add Dropout only "
          "when dropout > 0")

    regularised = _call(build_network, 16, 4, hidden_units=32, l2=0.01, dropout=0.5, seed=1, name="build_network")
    shapes = _weight_shapes(regularised)
    check(shapes == [(16, 32), (32,), (32, 4), (4,)],
          f"dropout and L2 add no weights: expected [(16, 32), (32,), (32, 4), (4,)], got {shapes}")
    regularised.set_weights(plain.get_weights())
    first, second = _predict(regularised, inputs), _predict(regularised, inputs)
    check(np.allclose(first, second, atol=1e-6),
          "two predictions of the same batch differ: dropout must be off at inference (use keras.layers.Dropout, "
          "which is active only while training)")
    check(np.allclose(first, _predict(plain, inputs), atol=1e-5),
          "with the same weights, the regularised network should predict exactly as the plain one at inference")
    training = _predict(regularised, inputs, training=True)
    check(not np.allclose(training, first, atol=1e-4),
          "with dropout=0.5 the network gives the same outputs in training as at inference: add a "
          "keras.layers.Dropout(dropout) layer after the hidden layer")
    kernels = [w for w in plain.get_weights() if w.ndim == 2]
    penalty = 0.01 * float(sum(np.sum(k.astype(np.float64) ** 2) for k in kernels))
    try:
        _check_compiled_loss(regularised, inputs, labels, "build_network", penalty=penalty)
    except AssertionError as failure:
        raise PublicTestFailure(f"{failure}. With l2=0.01 the loss should include 0.01 * the sum of the squared "
                                 "weights of BOTH Dense layers (kernel_regularizer=keras.regularizers.L2(l2)), "
                                 f"{penalty:.4f} here") from None
    passed("build_network")


# --- Part 7: a hidden layer by hand --------------------------------------------------------------------------------

def _two_layer_problem(seed: int = 10, n: int = 6, d: int = 5, m: int = 4, k: int = 3):
    """inputs (n, d), params [w1 (d, m), b1 (m,), w2 (m, k), b2 (k,)] and one-hot targets (n, k), float64.

    Redrawn until every hidden pre-activation is at least 0.05 from 0 (a ReLU kink spoils centred differences)
    and both signs occur, in the hidden layer and in the scores.
    """
    rng = np.random.default_rng(seed)
    while True:
        inputs = rng.normal(size=(n, d))
        params = [rng.normal(0, 0.7, (d, m)), rng.normal(0, 0.3, m), rng.normal(0, 0.7, (m, k)), rng.normal(0, 0.3, k)]
        before = inputs @ params[0] + params[1]
        scores = np.maximum(before, 0) @ params[2] + params[3]
        if np.abs(before).min() > 0.05 and (before < 0).any() and (before > 0).any() and (scores < 0).any():
            return inputs, params, np.eye(k)[rng.integers(0, k, n)]


def _reference_two_layer(inputs, params, targets, l2=0.0, *, relu_mask=True):
    """(loss, [grad_w1, grad_b1, grad_w2, grad_b2]) of the two-layer network, in float64."""
    w1, b1, w2, b2 = params
    before = inputs @ w1 + b1
    hidden = np.maximum(before, 0)
    scores = hidden @ w2 + b2
    probabilities = _reference_softmax(scores)
    loss = float(-np.mean(np.sum(targets * np.log(probabilities), axis=1))) + l2 * float(np.sum(w1 ** 2) +
                                                                                       np.sum(w2 ** 2))
    grad_scores = (probabilities - targets) / len(inputs)
    grad_hidden = grad_scores @ w2.T
    if relu_mask:
        grad_hidden = grad_hidden * (before > 0)
    return loss, [inputs.T @ grad_hidden + 2 * l2 * w1, grad_hidden.sum(axis=0), hidden.T @ grad_scores + 2 * l2 * w2,
                  grad_scores.sum(axis=0)]


PARAM_NAMES = ("w1", "b1", "w2", "b2")


def test_two_layer_forward(two_layer_forward) -> None:
    inputs, params, _ = _two_layer_problem(seed=10)
    before_inputs, before_params = inputs.copy(), [p.copy() for p in params]
    result = _call(two_layer_forward, inputs, params, name="two_layer_forward")
    check(isinstance(result, (tuple, list)) and len(result) == 2,
          "two_layer_forward should return a tuple (scores, hidden)")
    scores, hidden = result
    if np.shape(scores) == (6, 4) and np.shape(hidden) == (6, 3):
        raise PublicTestFailure("two_layer_forward returned (hidden, scores): return (scores, hidden), in that order")
    check_array(scores, name="two_layer_forward (scores)", shape=(6, 3), dtype_kind="f")
    check_array(hidden, name="two_layer_forward (hidden)", shape=(6, 4), dtype_kind="f")
    check(np.array_equal(inputs, before_inputs) and all(np.array_equal(p, b) for p, b in zip(params, before_params)),
          "two_layer_forward changed its inputs or parameters")
    w1, b1, w2, b2 = params
    before = inputs @ w1 + b1
    check(hidden.min() >= 0,
          "hidden has negative values: it is the output of the ReLU, hidden = max(0, inputs @ w1 + b1) "
          "(np.maximum(..., 0))")
    check(not np.allclose(hidden, np.maximum(inputs @ w1, 0)),
          "the first layer's biases are missing: hidden = max(0, inputs @ w1 + b1)")
    check(np.allclose(hidden, np.maximum(before, 0), atol=1e-6), "hidden should be max(0, inputs @ w1 + b1)")
    expected = np.maximum(before, 0) @ w2 + b2
    check(not np.allclose(scores, _reference_softmax(expected), atol=1e-6),
          "two_layer_forward returned probabilities: return the SCORES, hidden @ w2 + b2, before any softmax "
          "(the loss works from the scores)")
    check(not np.allclose(scores, np.maximum(expected, 0), atol=1e-6),
          "the scores have no negative values: no ReLU on the output layer, scores = hidden @ w2 + b2")
    check(not np.allclose(scores, before @ w2 + b2, atol=1e-6),
          "the scores were computed from the hidden layer BEFORE its ReLU: scores = hidden @ w2 + b2, with hidden "
          "= max(0, inputs @ w1 + b1)")
    check(np.allclose(scores, expected, atol=1e-6), "scores should be hidden @ w2 + b2")
    passed("two_layer_forward")


def test_two_layer_loss_and_gradient(two_layer_loss_and_gradient) -> None:
    name = "two_layer_loss_and_gradient"
    inputs, params, targets = _two_layer_problem(seed=11)
    result = _call(two_layer_loss_and_gradient, inputs, [p.copy() for p in params], targets, 0.0, name=name)
    check(isinstance(result, (tuple, list)) and len(result) == 2,
          f"{name} should return (loss, grads), grads the list [grad_w1, grad_b1, grad_w2, grad_b2]")
    loss, grads = result
    check(isinstance(grads, (tuple, list)) and len(grads) == 4,
          f"{name} should return (loss, grads), grads a list of four arrays [grad_w1, grad_b1, grad_w2, grad_b2]")
    check(np.ndim(loss) == 0, f"the loss should be one number, got shape {np.shape(loss)}")
    for grad, param, param_name in zip(grads, params, PARAM_NAMES):
        check_array(grad, name=f"{name} (grad_{param_name})", shape=param.shape, dtype_kind="f")
    expected_loss, expected = _reference_two_layer(inputs, params, targets)
    check(not np.isclose(float(loss), expected_loss * len(inputs), rtol=1e-6),
          f"loss {float(loss):.5f}, the SUM over the batch: take the mean cross-entropy ({expected_loss:.5f})")
    check(np.isclose(float(loss), expected_loss, rtol=1e-6),
          f"loss {float(loss):.5f}, expected {expected_loss:.5f}: the mean cross-entropy of softmax(scores), "
          "with the scores of your two_layer_forward")

    def loss_at(l2):
        return lambda: float(two_layer_loss_and_gradient(inputs, params, targets, l2)[0])

    numeric = [_quietly(_centred_gradient, loss_at(0.0), param) for param in params]
    n = len(inputs)
    check(not np.allclose(grads[2], -numeric[2], rtol=1e-4, atol=1e-8),
          "the gradient points the wrong way (minus the true gradient): d loss / d scores is "
          "probabilities - one_hot_labels")
    check(not np.allclose(grads[2], n * numeric[2], rtol=1e-4, atol=1e-8),
          f"the gradient is {n} times too large (the batch size): the loss is a MEAN, so d loss / d scores = "
          "(probabilities - one_hot_labels) / N")
    unmasked = _reference_two_layer(inputs, params, targets, relu_mask=False)[1]
    check(not np.allclose(grads[0], unmasked[0], atol=1e-8),
          "grad_w1 lets the gradient through the hidden units the ReLU switched off: multiply d loss / d hidden "
          "by (hidden > 0) before going back to w1 and b1 (step 4)")
    w1, b1, w2, b2 = params
    before = inputs @ w1 + b1
    grad_scores = (_reference_softmax(np.maximum(before, 0) @ w2 + b2) - targets) / n
    check(not np.allclose(grads[2], before.T @ grad_scores, atol=1e-8),
          "grad_w2 uses the hidden layer BEFORE its ReLU: grad_w2 = hidden.T @ d loss / d scores, with hidden = "
          "max(0, inputs @ w1 + b1), as two_layer_forward returns it")
    for index, param_name in enumerate(PARAM_NAMES):
        error = _relative_error(grads[index], numeric[index])
        hint = {"w1": "grad_w1 = inputs.T @ (d loss / d hidden, zeroed where hidden = 0)",
                "b1": "grad_b1 = the sum over the rows of (d loss / d hidden, zeroed where hidden = 0)",
                "w2": "grad_w2 = hidden.T @ d loss / d scores, hidden after the ReLU",
                "b2": "grad_b2 = the sum over the rows of d loss / d scores"}[param_name]
        check(error < 1e-6, f"grad_{param_name} disagrees with centred differences (relative error {error:.1e}, "
                            f"expected below 1e-6): {hint}")

    l2 = 0.1
    loss2, grads2 = _call(two_layer_loss_and_gradient, inputs, [p.copy() for p in params], targets, l2, name=name)
    penalty = l2 * float(np.sum(w1 ** 2) + np.sum(w2 ** 2))
    grew = float(loss2) - float(loss)
    check(np.isclose(grew, penalty, rtol=1e-6),
          f"with l2={l2} the loss should grow by l2 * (sum(w1 ** 2) + sum(w2 ** 2)) = {penalty:.5f}, it grew by "
          f"{grew:.5f}" + (": penalise BOTH weight matrices" if np.isclose(grew, l2 * np.sum(w1 ** 2))
                           or np.isclose(grew, l2 * np.sum(w2 ** 2)) else "")
          + (": penalise the weights only, not the biases"
             if np.isclose(grew, penalty + l2 * float(np.sum(b1 ** 2) + np.sum(b2 ** 2))) else ""))
    numeric = [_quietly(_centred_gradient, loss_at(l2), param) for param in params]
    for index, param_name in enumerate(PARAM_NAMES):
        error = _relative_error(grads2[index], numeric[index])
        check(error < 1e-6, f"with l2={l2}, grad_{param_name} disagrees with centred differences (relative error "
                            f"{error:.1e}): " + ("the L2 term adds 2 * l2 * " + param_name + " to it"
                                                 if param_name.startswith("w") else "the biases are not penalised"))
    loss32, grads32 = _call(two_layer_loss_and_gradient, inputs.astype(np.float32),
                            [p.astype(np.float32) for p in params], targets.astype(np.float32), l2, name=name)
    _check_float32_out(name, loss32, grads32, l2)
    passed(name)


# --- Part 8: Adam and He initialisation -----------------------------------------------------------------------------

def _reference_adam(params, grads, first, second, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                    epsilon=1e-7, paper=False):
    """One Adam step in float64, Keras's order (or, paper=True, Algorithm 1's: epsilon added to sqrt(v-hat))."""
    first = [beta_1 * m + (1 - beta_1) * g for m, g in zip(first, grads)]
    second = [beta_2 * v + (1 - beta_2) * g ** 2 for v, g in zip(second, grads)]
    if paper:
        params = [p - learning_rate * (m / (1 - beta_1 ** step)) / (np.sqrt(v / (1 - beta_2 ** step)) + epsilon)
                  for p, m, v in zip(params, first, second)]
    else:
        rate = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
        params = [p - rate * m / (np.sqrt(v) + epsilon) for p, m, v in zip(params, first, second)]
    return params, first, second


def _close(arrays, expected, atol=1e-9, rtol=1e-6) -> bool:
    return (isinstance(arrays, (list, tuple)) and len(arrays) == len(expected)
            and all(np.shape(a) == np.shape(e) and np.allclose(a, e, atol=atol, rtol=rtol)
                    for a, e in zip(arrays, expected)))


def test_adam_step(adam_step) -> None:
    params, grads = _params(seed=12)
    zeros = [np.zeros_like(p) for p in params]
    result = _call(adam_step, [p.copy() for p in params], grads, [z.copy() for z in zeros],
                   [z.copy() for z in zeros], 1, 0.01, name="adam_step")
    check(isinstance(result, (tuple, list)) and len(result) == 3,
          "adam_step should return (params, first_moments, second_moments), each a list with one array per "
          "parameter")
    new_params, first, second = result
    for what, values in (("params", new_params), ("first_moments", first), ("second_moments", second)):
        check(isinstance(values, (tuple, list)) and len(values) == len(params),
              f"adam_step should return {what} as a list with one array per parameter ({len(params)} here)")
        for index, (value, param) in enumerate(zip(values, params)):
            check_array(value, name=f"adam_step ({what}[{index}])", shape=param.shape, dtype_kind="f")
    want_params, want_first, want_second = _reference_adam(params, grads, zeros, zeros, 1, 0.01)
    check(not _close(first, grads), "after one step from zero, the first moment should be (1 - beta_1) * g = "
                                    "0.1 * g, not g: m = beta_1 * m + (1 - beta_1) * g")
    check(not _close(first, [0.9 * g for g in grads]),
          "the first moment is 0.9 * g after one step from zero: beta_1 and 1 - beta_1 are swapped, "
          "m = beta_1 * m + (1 - beta_1) * g")
    check(_close(first, want_first), "the first moment should become beta_1 * m + (1 - beta_1) * g")
    check(not _close(second, [0.001 * np.abs(g) for g in grads]) and not _close(second, [0.001 * g for g in grads]),
          "the second moment averages the SQUARED gradients: v = beta_2 * v + (1 - beta_2) * g ** 2")
    check(_close(second, want_second), "the second moment should become beta_2 * v + (1 - beta_2) * g ** 2")
    check(all(np.all(np.isfinite(p)) for p in new_params),
          "the first step gave inf or nan: t, the step number, counts from 1 (with t = 0, 1 - beta_1 ** t = 0)")
    check(not _close(new_params, [p + (p - w) for p, w in zip(params, want_params)], atol=1e-6),
          "the step goes UP the gradient: subtract learning_rate_t * m / (sqrt(v) + epsilon)")
    if not _close(new_params, want_params, atol=1e-6):
        moved = float(np.mean([np.mean(np.abs(np.asarray(a) - p)) for a, p in zip(new_params, params)])) / 0.01
        raise PublicTestFailure(
            f"the first step should move each parameter by about learning_rate (0.01 here) against the sign of its "
            f"gradient; yours move by {moved:.2g} times that on average. The bias correction: multiply the learning "
            "rate by sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t), t the step number (1 here), and subtract "
            "learning_rate_t * m / (sqrt(v) + epsilon)")

    rng = np.random.default_rng(13)
    mine = [p.copy() for p in params]
    state = [[z.copy() for z in zeros], [z.copy() for z in zeros]]
    reference = [[p.copy() for p in params], zeros, zeros]
    for step in range(1, 6):
        gradients = [rng.normal(0, 0.5, p.shape) for p in params]
        mine, *state = _call(adam_step, mine, gradients, state[0], state[1], step, 0.01, 0.8, 0.95, 1e-7,
                             name="adam_step")
        reference = list(_reference_adam(reference[0], gradients, reference[1], reference[2], step, 0.01, 0.8, 0.95))
        check(_close(state[0], reference[1]) and _close(state[1], reference[2]),
              f"after step {step} the moments are off: each step starts from the moments the previous one returned "
              "(pass them on), with the beta_1 and beta_2 given as arguments")
        check(_close(mine, reference[0], atol=1e-6),
              f"the parameters are off after step {step}, with the right moments: learning_rate_t = learning_rate "
              "* sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t) with t = step, the step number given (it counts from 1)")

    tiny = [g * 1e-6 for g in grads]
    result = _call(adam_step, [p.copy() for p in params], tiny, [z.copy() for z in zeros], [z.copy() for z in zeros],
                   1, 0.01, name="adam_step")
    paper = _reference_adam(params, tiny, zeros, zeros, 1, 0.01, paper=True)[0]
    want = _reference_adam(params, tiny, zeros, zeros, 1, 0.01)[0]
    check(not (_close(result[0], paper) and not _close(paper, want)),
          "with gradients as small as 1e-6 your step differs from Keras's: add epsilon to sqrt(v), after the step's "
          "rate learning_rate * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t), as written above (Algorithm 1's "
          "sqrt(v-hat) + epsilon puts it elsewhere)")
    check(_close(result[0], want), "with gradients of size 1e-6 the first step is off: see the formula above")
    passed("adam_step")


def test_he_init(he_init) -> None:
    weights, biases = _initial(he_init, "he_init", 400, 300, 0)
    check(abs(float(weights.mean())) < 0.003, f"the weights should have mean 0, got {float(weights.mean()):.4f}")
    std = float(weights.std())
    target = np.sqrt(2 / 400)
    wrong = {np.sqrt(2 / 300): "it uses n_out: He's variance is 2 / n_in, n_in the number of inputs each unit sums",
             np.sqrt(1 / 400): "a variance of 1 / n_in is LeCun's: He's is 2 / n_in, twice as large, to make up for "
                               "the half of the values the ReLU sets to 0",
             2 / 400: "2 / n_in is the VARIANCE: the standard deviation is its square root, sqrt(2 / n_in)",
             np.sqrt(2 / 700): "2 / (n_in + n_out) is Glorot's variance: He's is 2 / n_in",
             0.01: "sigma=0.01 is Part 3's fixed value: He's depends on the layer, sqrt(2 / n_in)"}
    reason = next((text for value, text in wrong.items() if abs(std - value) < 0.01 * value), "")
    check(abs(std - target) < 0.02 * target,
          f"he_init(400, 300) should have standard deviation sqrt(2 / 400) = {target:.4f}, got {std:.4f}"
          + (f": {reason}" if reason else ""))
    inside = float(np.mean(np.abs(weights) < target))
    check(abs(inside - 0.683) < 0.01,
          f"{inside:.0%} of the weights lie within one standard deviation of 0; a normal distribution has 68%: use "
          "rng.normal (a uniform distribution has 58%; Keras's HeNormal, cut at two standard deviations, 65%)")
    small = _call(he_init, 50, 20, 0, name="he_init")[0]
    check(abs(float(small.std()) - 0.2) < 0.02,
          f"he_init(50, 20) should have standard deviation sqrt(2 / 50) = 0.2, got {float(small.std()):.4f}: "
          "compute it from n_in")
    again = _call(he_init, 400, 300, 0, name="he_init")[0]
    check(np.array_equal(again, weights), "the same seed should give the same weights: use np.random.default_rng(seed)")
    other = _call(he_init, 400, 300, 1, name="he_init")[0]
    check(not np.array_equal(other, weights), "a different seed should give different weights")
    passed("he_init")


public_hooks(globals())  # failures show as hints; errors in your code keep their traceback
