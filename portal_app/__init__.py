"""Carrier Portal: white-label customer portal and operator control panel."""
