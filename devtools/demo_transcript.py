"""What the terminal demo prints: new messages, compact edits, toasts, and numbered buttons.

Every button that can still be tapped on the newest few messages with buttons has a number.
A button keeps its number while it is there; a button that goes away frees its number, and new
buttons take the lowest free ones. A reply keyboard is printed where Telegram shows it, under the
message box, last before each prompt; its buttons are numbered too, and typing the number (or
the label, emoji and case aside) sends their text. A location button says how to share a place
in a terminal.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, TextIO

from devtools.emulator import ChatMessage
from devtools.emulator.models import CallbackAnswer

LOCATION_HINT = (
    "📍 In this demo, share a place by typing @LAT,LON (for example @21.03,105.85 for Hanoi) "
    "or just type a city name."
)
SNIPPET = 40
KEYBOARD = "⌨️  Under the message box:"
# An older message with more buttons than this is summed up by their numbers and its first line.
NAMED_BUTTONS = 2
# Buttons on older messages are out of sight in a terminal: only the newest few are numbered.
RECENT_KEYBOARDS = 5


@dataclass(frozen=True)
class Tap:
    """Tapping an inline button: its message and callback data."""

    message_id: int
    data: str
    label: str


@dataclass(frozen=True)
class Say:
    """A reply-keyboard button: tapping it sends its text."""

    text: str

    @property
    def label(self) -> str:
        return self.text


Action = Tap | Say


@dataclass
class Transcript:
    """Prints what changed in the chat since last time, and knows what each number taps."""

    out: TextIO
    seen: dict[int, tuple[object, ...]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    numbers: dict[Action, int] = field(default_factory=dict)
    answers_seen: int = 0
    # Messages printed since the person's last line (by the line itself or by the watcher).
    printed: set[int] = field(default_factory=set)

    def show(self, messages: list[ChatMessage], answers: list[CallbackAnswer]) -> bool:
        """Print new and edited bot messages and new toasts, renumbering live buttons;
        whether anything was printed."""
        self._renumber(messages)
        wrote = False
        for message in messages:
            state = (message.text, message.caption, message.buttons, message.document)
            if self.seen.get(message.message_id) == state:
                continue
            edited = message.message_id in self.seen
            self.seen[message.message_id] = state
            if message.from_bot:
                self._print(message, edited)
                self.printed.add(message.message_id)
                wrote = True
        wrote = self._print_toasts(answers) or wrote
        self.out.flush()
        return wrote

    def prompt(self, text: str) -> None:
        """Say the demo is ready for the next line (no newline: the person types after it)."""
        self.out.write("\n" + text)
        self.out.flush()

    def note(self, text: str) -> None:
        self.out.write(f"\n{text}\n")
        self.out.flush()

    def action(self, number: int) -> Action | None:
        """What typing this number does, if a button has it."""
        for action, assigned in self.numbers.items():
            if assigned == number:
                return action
        return None

    def typed(self, text: str) -> Say | None:
        """The reply-keyboard button whose label this typed text names, emoji and case aside."""
        wanted = _words(text)
        says = [a for a in self.numbers if isinstance(a, Say) and _words(a.text) == wanted]
        return says[0] if wanted and says else None

    def sent(self, say: Say) -> None:
        """Show what a reply-keyboard tap sent, as the chat would show the person's message."""
        self.out.write(f"👤 {say.text}\n")

    def remind(self) -> None:
        """After a line's answer: name the buttons still tappable on older messages, show the
        reply keyboard under the message box, then start counting what is printed afresh."""
        older = self._older()
        if older and self.printed:
            self.out.write("   (still there to tap: " + "; ".join(older) + ")\n")
        keys = sorted((n, a.label) for a, n in self.numbers.items() if isinstance(a, Say))
        if keys:
            self.out.write(f"\n{KEYBOARD}\n" + "".join(f"   [{n}] {k}\n" for n, k in keys))
        self.out.flush()
        self.printed = set()

    def _older(self) -> list[str]:
        """Each older message's live buttons: by label when few, else by number and quote."""
        by_message: dict[int, list[tuple[int, str]]] = {}
        for action, number in sorted(self.numbers.items(), key=lambda item: item[1]):
            if isinstance(action, Tap) and action.message_id not in self.printed:
                by_message.setdefault(action.message_id, []).append((number, action.label))
        parts = []
        for message_id, taps in by_message.items():
            if len(taps) <= NAMED_BUTTONS:
                parts.append(", ".join(f"[{n}] {label}" for n, label in taps))
            else:
                numbers = f"[{taps[0][0]}]–[{taps[-1][0]}]"
                parts.append(f"{numbers} under “{_quote(self.texts.get(message_id, ''))}”")
        return parts

    def _renumber(self, messages: list[ChatMessage]) -> None:
        with_taps = [message for message in messages if _taps(message)][-RECENT_KEYBOARDS:]
        live: list[Action] = [tap for message in with_taps for tap in _taps(message)]
        keyboards = [m.reply_keyboard for m in messages if m.from_bot and m.reply_keyboard]
        live += [Say(text) for text in _reply_buttons(keyboards[-1] if keyboards else None)]
        self.numbers = {a: n for a, n in self.numbers.items() if a in live}
        used = set(self.numbers.values())
        free = (n for n in range(1, len(live) + len(used) + 2) if n not in used)
        for action in live:
            if action not in self.numbers:
                self.numbers[action] = next(free)

    def _print(self, message: ChatMessage, edited: bool) -> None:
        body = message.text or message.caption or ""
        if message.document is not None:
            body = f"📎 {message.document.filename} ({len(message.document.data)} bytes)\n{body}"
        previous = self.texts.get(message.message_id)
        self.texts[message.message_id] = body
        if edited and previous is not None:
            self._write("✏️ ", _changed_part(previous, body))
        else:
            self._write("🤖 ", body)
        self._print_buttons(message)

    def _write(self, marker: str, body: str) -> None:
        self.out.write("\n" + marker + body.replace("\n", "\n   ") + "\n")

    def _print_buttons(self, message: ChatMessage) -> None:
        for action in _taps(message):  # a reply keyboard is shown under the message box instead
            if action in self.numbers:
                self.out.write(f"   [{self.numbers[action]}] {action.label}\n")
        if _asks_for_location(message.reply_keyboard):
            self.out.write(f"   {LOCATION_HINT}\n")

    def _print_toasts(self, answers: list[CallbackAnswer]) -> bool:
        toasts = [answer.text for answer in answers[self.answers_seen :] if answer.text]
        for text in toasts:
            self.out.write(f"   💬 {text}\n")
        self.answers_seen = len(answers)
        return bool(toasts)


def _taps(message: ChatMessage) -> list[Tap]:
    if not message.from_bot:
        return []
    return [
        Tap(message.message_id, button.callback_data, button.text)
        for row in message.buttons
        for button in row
        if button.callback_data
    ]


def _reply_keyboard(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = (markup or {}).get("keyboard") or []
    return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]


def _reply_buttons(markup: dict[str, Any] | None) -> list[str]:
    """Plain reply-keyboard buttons (location buttons are typed as @LAT,LON instead)."""
    return [str(b["text"]) for b in _reply_keyboard(markup) if not b.get("request_location")]


def _asks_for_location(markup: dict[str, Any] | None) -> bool:
    return any(b.get("request_location") for b in _reply_keyboard(markup))


def _changed_part(before: str, after: str) -> str:
    """The lines an edit added, under a short quote of the message it changed."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    added = [
        line
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if tag in ("insert", "replace")
        for line in new[j1:j2]
    ]
    head = f"(updated: “{_quote(after)}”)"
    if not added:
        return head
    return after if added == new else "\n".join([head, *added])


def _quote(body: str) -> str:
    """A message's first line with text, cut to a snippet."""
    first = next((line for line in body.splitlines() if line.strip()), "")
    return first if len(first) <= SNIPPET else first[: SNIPPET - 1] + "…"


def _words(text: str) -> str:
    """Text without emoji, punctuation, case or extra spaces: what a typed label is matched by."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())
