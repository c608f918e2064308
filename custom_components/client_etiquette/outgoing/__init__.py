"""Outgoing of Client Etiquette."""
