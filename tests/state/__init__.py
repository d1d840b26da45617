"""Tier 2: the Reflex states, instantiated under pytest over the real services and database."""
