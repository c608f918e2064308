"""Tests of the config, options and client flows."""
