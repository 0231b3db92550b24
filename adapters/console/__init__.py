"""The terminal front end used by `secbot chat`."""
