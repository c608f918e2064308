"""Tests of the callback queue, its store and journal, and the reminders."""
