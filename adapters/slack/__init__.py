"""The Slack front end (slack-bolt, the `[slack]` extra)."""
