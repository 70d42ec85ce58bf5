"""Streamlit helpers shared by the dashboard pages (Streamlit is allowed here, not in analysis/)."""
