"""Population run over FHIR Bulk Data (docs/population.md): census and grouping on embedded DuckDB
or Spark, each candidate assessed by the unchanged core, then the worklist and quality measures."""
