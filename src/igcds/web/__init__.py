"""The igcds web app (served by `igcds serve` beside the CDS Hooks services): the dose calculator
(/dose), the patient report (/assess), the SMART App Launch (/smart/launch) and the population
worklist (/worklist). A shell: every figure and recommendation comes from the core through
igcds.engine; the pages only present it."""
