"""The Mini App "My diary": a Starlette app under /app, beside the bot (ARCHITECTURE §11)."""
