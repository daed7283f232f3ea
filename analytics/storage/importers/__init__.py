"""Importers for police and city exports: CSV and XLSX, any encoding, any Korean CRS."""
