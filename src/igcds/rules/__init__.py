"""Applicability logic, one module per recommendation group. Pure functions of the clinical
context (record, knowledge, policy, as_of) returning findings with their evidence."""
