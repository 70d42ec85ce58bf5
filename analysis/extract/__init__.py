"""Extract: parsed text -> entities, quotes with speakers, dated events (`pipeline.extract_document`).

May import `analysis.loaders`, `analysis.model` and `analysis.settings`; never the workspace or
presentation layers. Importing this package loads no spaCy: its modules do, when imported.
"""
