"""The guideline as data: recommendations, bibliography, value sets, reference ranges and site
policy, schema-validated and cross-checked when loaded."""
