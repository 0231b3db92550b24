"""Recognising intents (normalise, match, suggest) and handling them (answers, help, incidents)."""
