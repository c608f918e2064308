"""Tests of the pure wording: the texts, the time phrases, plurals and template checks."""
