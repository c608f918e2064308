"""Tests of texting: the backends and the durable outbox."""
