"""Plain HTTP endpoints (Starlette), mounted beside Reflex's own."""
