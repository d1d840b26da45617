"""Local stand-ins for outside services the tests cannot reach (payment providers)."""
