"""What the notebooks tell students about Keras holds for the Keras installed (a new release may change it)."""

from __future__ import annotations

import numpy as np


def test_a_softmax_output_gives_the_loss_its_scores_and_bare_probabilities_are_clipped():
    """Assignment 3: the cross-entropy of a softmax layer's output is computed from the scores before it."""
    import keras

    scores = np.array([[200.0, 0.0, -50.0], [0.0, 0.0, 90.0]], np.float32)
    labels = np.array([2, 0])
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Activation("softmax")(inputs))
    model.compile(loss="sparse_categorical_crossentropy")
    from_scores = float(np.mean(keras.losses.sparse_categorical_crossentropy(labels, scores, from_logits=True)))
    assert np.isclose(model.evaluate(scores, labels, verbose=0), from_scores)  # 170: exact, no clipping
    probabilities = np.asarray(model(scores))
    clipped = float(np.mean(keras.losses.sparse_categorical_crossentropy(labels, probabilities)))
    assert np.isclose(clipped, -np.log(1e-7), rtol=0.01)  # both probabilities clipped to 1e-7


def test_adadelta_defaults_to_a_thousand_times_its_papers_learning_rate():
    """Assignment 3 asks for Adadelta(learning_rate=1.0) because Keras 3's default is 0.001."""
    import keras

    assert np.isclose(float(np.asarray(keras.optimizers.Adadelta().learning_rate)), 0.001)
