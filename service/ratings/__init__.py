"""Ratings: issue (one or a batch), read one, list the tenant's."""
