"""Present: what the analyst sees of query results: charts, highlighted text, CSV and zip exports,
picker choices and the filter's URL form.

May import `analysis.workspace`, `analysis.model` and `analysis.settings`; never spaCy or
Streamlit.
"""
