"""The columns the store keeps for each table of an extraction, in the store's order.

Apart from `rows` (which builds them as Arrow tables) so that the store can name its tables
without importing pyarrow: opening the dashboard's first page then imports neither pyarrow nor
numpy nor pandas, ~0.5 s of its start (the page's own queries read rows, not tables).
"""
from __future__ import annotations

# The stored columns of each table, in the store's order.
TABLE_COLUMNS = {
    "documents": ["doc_id", "record_id", "title", "source", "author", "url", "file_name", "date",
                  "date_source", "n_words", "text", "ingested_at", "file_name_bytes", "language", "title_derived",
                  "ocr_pages"],
    "sentences": ["doc_id", "sentence", "paragraph", "start", "end"],
    "mentions": ["doc_id", "mention", "sentence", "start", "end", "text", "label", "entity_key",
                 "entity_name", "entity_label"],
    "quotes": ["doc_id", "quote", "sentence", "start", "end", "text", "kind", "cue", "speaker",
               "speaker_start", "speaker_end", "speaker_key", "reported_by", "reported_by_key", "act",
               "speaker_label"],
    "quote_entities": ["doc_id", "quote", "entity_key"],
    "events": ["doc_id", "event", "sentence", "start", "end", "text", "date_text", "date_start",
               "date_end", "granularity"],
    "event_entities": ["doc_id", "event", "entity_key"],
}
# Carried beside the stored columns of `documents` for the ingest's account of each file, not stored:
# why a document has no entities (`Extraction.note`) and what loading changed in it (`RawDocument.notes`).
REPORT_COLUMNS = ["note", "load_notes"]
