"""TwitchCare: a Telegram companion bot for facial twitching when tired."""
