"""CDS Hooks 2.0 service (FastAPI): igcds inside the EHR. A shell over `igcds.engine`."""
