"""Recorded days replayed through a real Home Assistant (issue #16, point 5)."""
