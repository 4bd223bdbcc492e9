"""The domain: pure rules and maths (no Telegram, Redis, charts or web server imports)."""
