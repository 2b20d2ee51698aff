"""What --json prints is strict JSON."""

from __future__ import annotations

import json

import numpy as np

from topiclens.apps.cli.output import dump_json


def test_nan_infinity_and_numpy_values_become_valid_json():
    text = dump_json({"c_v": float("nan"), "npmi": np.float32(0.25), "n": np.int64(3), "inf": np.inf,
                      "rows": np.array([1.5, np.nan]), "nested": [{"x": np.float64("nan")}]})
    parsed = json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert parsed == {"c_v": None, "npmi": 0.25, "n": 3, "inf": None, "rows": [1.5, None], "nested": [{"x": None}]}
