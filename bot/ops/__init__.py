"""Running the bot: the Application, the command line, webhook, health, logs, start-up."""
