"""Everything the bot says, as YAML data, one folder per locale."""

from pathlib import Path

CONTENT_ROOT = Path(__file__).resolve().parent
