"""Command-line entry points, dispatched by ``python -m bot``."""
