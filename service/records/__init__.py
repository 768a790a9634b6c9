"""Durable records: SQLAlchemy Core tables, the database engine and the repository functions."""
