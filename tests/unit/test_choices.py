"""Every named setting's allowed values are declared once and agree with what implements them."""

from __future__ import annotations

import argparse

import pytest

from topiclens.apps.cli.parser import build_parser
from topiclens.core import choices
from topiclens.evaluate import SCORE_NAMES
from topiclens.llm.prompts import CHAT_FORMATS
from topiclens.pipeline import adapt


def test_implementations_match_the_declared_names():
    assert set(CHAT_FORMATS) == set(choices.CHAT_FORMATS)
    assert set(SCORE_NAMES) == set(choices.COHERENCE_MEASURES)
    assert set(adapt.REDUCERS) == set(choices.REDUCTIONS)
    assert set(adapt.CLUSTERERS) == set(choices.CLUSTERINGS)
    assert set(adapt.LAYOUTS) | {"none"} == set(choices.LAYOUTS)
    assert set(adapt.CLASSIC) | {"embedding"} == set(choices.MODELS)


def test_the_command_line_offers_the_declared_names():
    fit = build_parser()._subparsers._group_actions[0].choices["fit"]
    offered = {action.dest: tuple(action.choices) for action in fit._actions if action.choices}
    assert offered["reduction"] == choices.REDUCTIONS and offered["clustering"] == choices.CLUSTERINGS
    assert offered["layout"] == choices.LAYOUTS and offered["model"] == choices.MODELS
    assert offered["keyword_weighting"] == choices.KEYWORD_WEIGHTINGS
    lang = next(action for action in fit._actions if action.dest == "lang")
    assert [lang.type(code) for code in choices.LANGUAGES] == list(choices.LANGUAGES)  # every declared code
    with pytest.raises(argparse.ArgumentTypeError, match="unknown language code"):
        lang.type("klingon")
