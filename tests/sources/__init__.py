"""Tests of the sources: Home Assistant states read as evidence, kept current by the monitor."""
