"""The numbers a student reads about the data hold for every source ``data.load`` may use (see tests/data_claims)."""

from __future__ import annotations

import importlib

import pytest

from tests.conftest import SHARED_DATA
from tests.data_claims import claims, printed_numbers
from tests.hidden_requirements import PENDING

ASSIGNMENTS = ["notmnist", "fundamentals", "mnist_cnn", "cifar10_cnn", "digit_sequences", "house_numbers"]

pytestmark = pytest.mark.slow


def _module(name: str):
    try:
        module = importlib.import_module(f"tests.data_claims.{name}")
    except ModuleNotFoundError:
        if name in PENDING:
            pytest.skip(f"{name}: {PENDING[name]}")
        pytest.fail(f"tests/data_claims/{name}.py is missing: every assignment says which sources it can read")
    assert name not in PENDING, f"tests/data_claims/{name}.py exists: take {name} out of PENDING"
    return module


def _environment(environment: dict, tmp_path) -> dict:
    resolved = {name: value.replace("{shared}", str(SHARED_DATA)).replace("{tmp}", str(tmp_path))
                for name, value in environment.items()}
    if any("{shared}" in value for value in environment.values()) and not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: this source needs ../shared/data")
    return resolved


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_number_about_the_data_is_printed_or_true_for_every_source(name, tmp_path_factory):
    module = _module(name)
    stated = [claim for claim in claims(module.NOTEBOOK)
              if not any(piece in claim.sentence for piece in module.TRUE_FOR_EVERY_SOURCE)]
    unused = [piece for piece in module.TRUE_FOR_EVERY_SOURCE
              if not any(piece in claim.sentence for claim in claims(module.NOTEBOOK))]
    assert not unused, f"{name}: TRUE_FOR_EVERY_SOURCE names sentences the text no longer has: {unused}"
    printed = {source: printed_numbers(module.NOTEBOOK, module.DATA_CELLS,
                                       _environment(environment, tmp_path_factory.mktemp(name)))
               for source, environment in module.SOURCES.items()}
    false = []
    for claim in stated:
        missing = [source for source, numbers in printed.items() if claim.value not in numbers]
        if missing:
            false.append(f"{claim}  (not printed with: {', '.join(missing)})")
    assert not false, (f"{name}: numbers the text states that hold for some sources only (print them from a "
                       "cell, state them for every source, or list why they hold in TRUE_FOR_EVERY_SOURCE):\n"
                       + "\n".join(false))
