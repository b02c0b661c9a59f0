"""Conversation steps (botbuilder-dialogs). Dialogs ask, check and call services; they never
touch the store."""
