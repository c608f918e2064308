"""Callbacks of Client Etiquette."""
