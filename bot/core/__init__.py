"""Settings, the typed handler context with its services, and the metrics they carry."""
