"""The features' registration: every button has exactly one handler, nothing is claimed twice."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.chat.router import Feature, Router, merged
from bot.core.context import Context
from bot.domain.callbacks import Action, Callback
from bot.domain.flows import Flow, FlowKind
from bot.ops.app import FEATURES


async def _tap(update: Update, context: Context, callback: Callback) -> None:
    """A stand-in handler; registration never calls it."""


async def _command(update: Update, context: Context) -> None:
    """A stand-in command handler; registration never calls it."""


async def _typed(update: Update, context: Context, flow: Flow) -> None:
    """A stand-in step handler; registration never calls it."""


def test_every_action_has_exactly_one_feature() -> None:
    owners = {a: [f.name for f in FEATURES if a in f.callbacks] for a in Action}
    assert {a: names for a, names in owners.items() if len(names) != 1} == {}


def test_feature_names_are_their_modules() -> None:
    assert all(f.name.startswith("bot.features.") for f in FEATURES)


def test_the_same_action_in_two_features_stops_start_up() -> None:
    first = Feature(name="first", callbacks={Action.WHY: _tap})
    second = Feature(name="second", callbacks={Action.WHY: _tap})
    with pytest.raises(ValueError, match="second registers <Action.WHY: 'why'>"):
        Router([first, second])


def test_the_same_flow_step_in_two_features_stops_start_up() -> None:
    first = Feature(name="first", location_steps={FlowKind.ENROL: _typed})
    second = Feature(name="second", location_steps={FlowKind.ENROL: _typed})
    with pytest.raises(ValueError, match="second registers"):
        Router([first, second])


def test_the_same_command_in_two_features_stops_start_up() -> None:
    again = Feature(name="again", commands={"help": _command})
    with pytest.raises(ValueError, match="again registers 'help'"):
        merged([*FEATURES, again], lambda f: f.commands)
