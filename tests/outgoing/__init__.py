"""Tests of outgoing calls: the good-time-to-call sensors and their actions."""
