"""Texting of Client Etiquette."""
