"""Alert notifications: webhook (JSON POST) and email (SMTP), delivered from the
outbox the alert lifecycle writes, retried with exponential backoff."""
