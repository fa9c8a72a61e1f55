"""ODSK Command Centre: collectors feed a store; a Dash app shows it on the wall."""

__version__ = "0.1.0"
