"""Dose arithmetic: regimen (mg/kg per interval) -> grams for this patient. Pure functions."""
