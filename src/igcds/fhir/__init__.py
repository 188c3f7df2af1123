"""FHIR R4 JSON -> domain. The only package that knows FHIR shapes."""
