"""Merchant profiles and the one-click rating."""
