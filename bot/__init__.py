"""secbot's platform-neutral conversation core: message in, replies out."""

__version__ = "0.1.0"
