"""Benchmarks of Client Etiquette inside a real Home Assistant core (see docs/performance.md)."""
