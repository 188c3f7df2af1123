"""Typed clinical facts and results. Pure: no FHIR shapes, no I/O, no clock."""
