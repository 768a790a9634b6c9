"""API keys managed over the API: an admin key lists, creates, reads and revokes its own tenant's keys."""
