"""The store: SQLAlchemy models, engine set-up and the data-access layer."""
