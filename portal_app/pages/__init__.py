"""Pages: layout only, over state vars."""
