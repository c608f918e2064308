"""Sources of Client Etiquette."""
