"""scoring.models: one model-name rule for every command, with each command's fallback."""

from __future__ import annotations

import pytest

from rose_bench.scoring.io import InputError
from rose_bench.scoring.models import BRIDGE_FALLBACK_MODEL, display_model_name, infer_model, model_names


@pytest.mark.parametrize(
    "rows,override,fallback,expected",
    [
        ([{"model": "a"}, {"model": " a "}], "", "stem", "a"),
        ([{"model": "a"}, {"model": "b"}], " x ", "stem", "x"),
        ([{}, {"model": None}, {"model": "  "}], "", "stem", "stem"),
        ([{}], "", BRIDGE_FALLBACK_MODEL, "model"),
        ([{"model": 7}], "", "stem", "7"),
    ],
    ids=["single", "override-wins", "score-fallback-file-stem", "bridge-fallback", "non-string"],
)
def test_infer_model(rows, override, fallback, expected):
    assert infer_model(rows, override, fallback=fallback) == expected


def test_several_models_are_an_input_error_naming_the_file():
    with pytest.raises(InputError) as info:
        infer_model([{"model": "a"}, {"model": "b"}], source="preds.jsonl")
    assert str(info.value) == (
        "preds.jsonl: model: several model names ['a', 'b'] (fix: pass --model NAME or split the file per model)"
    )


@pytest.mark.parametrize("model,override,expected", [("gpt55none", "", "GPT-5.5"), ("mine", "", "mine"), ("gpt55none", " X ", "X")],
                         ids=["known", "unknown", "override"])
def test_display_model_name(model, override, expected):
    assert display_model_name(model, override) == expected


@pytest.mark.parametrize(
    "rows,expected",
    [([{"model": "a"}, {"model": " a"}, {"model": "b"}], {"a": 0, "b": 2}), ([{}, {"model": " "}, {"model": None}], {}),
     ([{"model": 1}, {"model": "1"}], {"1": 0})],
    ids=["first-row-of-each", "blank-is-no-name", "numbers-as-text"],
)
def test_model_names_first_rows(rows, expected):
    assert model_names(rows) == expected
