"""Core of Client Etiquette."""
