"""The daily digest: numbers, words, chart, on demand and on schedule."""
