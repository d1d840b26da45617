"""Business operations in plain Python. Nothing here imports Reflex."""
