"""Reading and writing: scenario files (strict YAML, validated), the route network's CSV files, the public
record, the results as an xarray Dataset, plots, and output folders written atomically. Depends on the core
and the interventions; nothing in the core depends on it.
"""
