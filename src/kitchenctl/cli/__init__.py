"""The typer + rich command line: a thin layer over the kitchenctl library."""
