"""Redis: the store (the only code that builds keys) and the embedded server."""
