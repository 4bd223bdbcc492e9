"""Every word the bot says: loading, validating and rendering content/."""
