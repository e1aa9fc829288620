"""The handbook (/camnang): notes of an area."""
