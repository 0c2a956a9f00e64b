"""ingest stage of kehoach."""
