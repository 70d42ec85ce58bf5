"""Newsroom Lens library: load documents, extract entities, quotes and dates, store and query them.

Nothing here imports Streamlit: the dashboard pages and the command line are thin layers
over these functions.
"""
__version__ = "0.1.0"
