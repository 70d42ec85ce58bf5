"""Workspace: the DuckDB store, ingest (load -> extract -> store), curation and the page queries.

May import `analysis.extract`, `analysis.loaders`, `analysis.model` and `analysis.settings`.
"""
