"""Readers and writers: atlas manifest, mesh files, annotations, scenes. Validation lives here."""
