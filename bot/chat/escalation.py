"""Warning signs and what to do about them (ARCHITECTURE §4).

Holds the multi-select warning-sign step shared by the daily check-in and /urgent, and the one
way the bot escalates: the emergency message at once, and see-doctor advice once per new reason.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import suppress

from telegram import Update
from telegram.error import BadRequest

from bot.chat.replies import answer, send, send_to, user_id_of
from bot.core.context import Context, services
from bot.domain.callbacks import Action, Callback
from bot.domain.country import country_of
from bot.domain.models import WARNING_SIGN_FIELDS, Level, Profile, Reason, Status
from bot.domain.triage import Triage
from bot.storage.store import ProfileNotFound
from bot.texts.content import Content, render, render_plain
from bot.texts.emergency_numbers import number_for
from bot.views.keyboards import Button, button, keyboard
from scheduler.timing import routine_of

# Special arguments of a warning-sign button. Upper case, so never a content toggle id
# (content ids are lower case).
SIGNS_NONE = "NONE"
SIGNS_DONE = "DONE"


# --- the multi-select warning-sign step ------------------------------------------------------


def sign_rows(
    content: Content, ticked: Collection[str], action: Action, *prefix: str
) -> list[list[Button]]:
    """One toggle per row showing its mark, then "None of these" and "Done".

    Each button's data is `action, *prefix, <toggle id | NONE | DONE>`.
    """
    signs = content.checkin.warning_signs
    rows = [
        [
            button(
                f"{signs.checked_mark if t.field in ticked else signs.unchecked_mark} {t.label}",
                action,
                *prefix,
                t.id,
            )
        ]
        for t in signs.toggles
    ]
    rows.append(
        [
            button(signs.none_label, action, *prefix, SIGNS_NONE),
            button(signs.done_label, action, *prefix, SIGNS_DONE),
        ]
    )
    return rows


def toggled(content: Content, ticked: Sequence[str], toggle_id: str) -> tuple[str, ...] | None:
    """The ticked sign fields after tapping `toggle_id`, in a stable order; None if unknown."""
    toggle = next((t for t in content.checkin.warning_signs.toggles if t.id == toggle_id), None)
    if toggle is None:
        return None
    now_ticked = set(ticked) ^ {toggle.field}
    return tuple(f for f in WARNING_SIGN_FIELDS if f in now_ticked)


def ticked_lines(content: Content, ticked: Collection[str]) -> str:
    """The ticked signs as "☑️ label" lines, to show what was reported once buttons are gone."""
    signs = content.checkin.warning_signs
    return "\n".join(
        render("{mark} {label}", mark=signs.checked_mark, label=t.label)
        for t in signs.toggles
        if t.field in ticked
    )


def signs_to_mask(ticked: Collection[str]) -> int:
    """Ticked sign fields as a bitmask (WARNING_SIGN_FIELDS order), for stateless buttons."""
    return sum(1 << i for i, field in enumerate(WARNING_SIGN_FIELDS) if field in ticked)


def mask_to_signs(text: str) -> tuple[str, ...] | None:
    """The sign fields of a bitmask argument; None for anything that is not one."""
    if not text.isdigit() or len(text) > 4:
        return None
    mask = int(text)
    if mask >= 1 << len(WARNING_SIGN_FIELDS):
        return None
    return tuple(f for i, f in enumerate(WARNING_SIGN_FIELDS) if mask >> i & 1)


# --- escalation --------------------------------------------------------------------------------


def mark_advised(result: Triage) -> Callable[[Profile], Profile]:
    """The profile change that remembers what was advised, and holds nudges on an emergency."""

    def change(profile: Profile) -> Profile:
        advised = tuple(dict.fromkeys((*profile.advised_reasons, *result.new_reasons)))
        hold = profile.emergency_hold or result.emergency_now
        return profile.model_copy(update={"advised_reasons": advised, "emergency_hold": hold})

    return change


async def escalate(
    context: Context,
    chat_id: int,
    profile: Profile | None,
    result: Triage,
    *,
    signs: Collection[str] = (),
    always: Sequence[Reason] = (),
) -> None:
    """Send the emergency message at once if needed, then see-doctor advice for new reasons.

    `signs` are the warning signs just reported (their emergency lines are repeated, as they may
    be a new event); `always` are see-doctor reasons to explain even if advised before.
    """
    context.bot_data.metrics.red_flag(result.assessment.level)
    content = services(context).content.local(country_of(profile))
    if result.emergency_now:
        text = emergency_text(content, profile, result, signs)
        safe = keyboard([[button(content.redflags.emergency_safe_button, Action.SAFE)]])
        await send_to(context, chat_id, text, safe)
    doctor = tuple(dict.fromkeys((*result.new_doctor_reasons, *always)))
    if doctor:
        await send_to(context, chat_id, see_doctor_text(content, doctor))


def emergency_text(
    content: Content, profile: Profile | None, result: Triage, signs: Collection[str]
) -> str:
    """ "Call <number> now", then what each emergency sign means."""
    redflags = content.redflags
    number = number_for(profile)
    reasons = [
        r
        for r in result.assessment.reasons
        if r.level is Level.EMERGENCY and (r in result.new_reasons or r.value in signs)
    ]
    lines = [redflags.see_doctor[r] for r in reasons]
    if number is None:  # no country, or none with one well-known number: say how to set it
        lines.append(content.ui.country_hint)
    call = render(redflags.emergency, number=number or redflags.unknown_number)
    return "\n\n".join([call, *lines])


def see_doctor_text(content: Content, reasons: Sequence[Reason]) -> str:
    """Which doctor and how soon, one line per reason, with the not-a-diagnosis footer."""
    redflags = content.redflags
    lines = [redflags.see_doctor[r] for r in reasons]
    return "\n\n".join([redflags.see_doctor_header, "\n".join(lines), redflags.footer])


async def on_safe(update: Update, context: Context, callback: Callback) -> None:
    """ "I'm safe now": lift the hold on nudges and say thank you."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    if callback.args:
        await answer(query, render_plain(svc.content.ui.stale_button))
        return
    user_id = user_id_of(update)
    lifted = None
    if await svc.store.get_profile(user_id) is not None:
        with suppress(ProfileNotFound):  # deleted meanwhile: nothing to lift
            lifted = await svc.store.update_profile(user_id, _lift_hold)
    await answer(query)
    with suppress(BadRequest):  # already gone after a double tap
        await query.edit_message_reply_markup(None)
    on = _reminders_on(lifted)
    await send(
        update, context, svc.content.redflags.safe_confirmed if on else svc.content.ui.safe_thanks
    )


def _lift_hold(profile: Profile) -> Profile:
    return profile.model_copy(update={"emergency_hold": False})


def _reminders_on(profile: Profile | None) -> bool:
    """Whether nudges go out now: on the plan (or its follow-ups) and not paused."""
    return (
        profile is not None
        and routine_of(profile) is not None
        and profile.status is not Status.PAUSED
    )
