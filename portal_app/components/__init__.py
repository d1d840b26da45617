"""Reusable UI pieces: layout only, no data access."""
