"""Tests of telephony: the webhooks, signatures, TwiML, the call screener, the cloudhook."""
