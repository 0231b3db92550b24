"""Microsoft Teams adapter: Activities in, Adaptive Cards out (botbuilder CloudAdapter on aiohttp)."""
