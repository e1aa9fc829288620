"""Spreadsheets of field reports: rows, CSV and XLSX, and /xuat in chat."""
