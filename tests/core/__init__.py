"""Tests of the pure core: hours, readiness, screening, planning, wording."""
