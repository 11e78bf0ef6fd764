"""The error every component raises when what the settings name cannot be used at start."""


class ConfigurationError(RuntimeError):
    """A configured component cannot be used: the message names it (host:port, path) and says what to do."""
