"""Flows of Client Etiquette."""
