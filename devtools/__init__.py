"""Development tools, not shipped in the wheel: the Bot API emulator, the terminal demo and
ManualClock."""
