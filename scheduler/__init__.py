"""Scheduling of morning, evening and follow-up nudges from a Redis due queue."""
