"""Streamlit glue: cached loaders, URL state, the i18n catalogue, shared widgets."""
