"""Data the reply reader is built from: client strings per locale, verdict words, sources."""
