"""Telephony of Client Etiquette."""
