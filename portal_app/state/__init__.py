"""Thin Reflex states: check who is asking, call one service, map the result."""
