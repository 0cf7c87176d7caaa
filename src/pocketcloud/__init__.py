"""pocketcloud: AWS on one machine, speaking the real AWS wire protocols."""

__version__ = "0.1.0"
