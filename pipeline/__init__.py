"""pipeline stage of kehoach."""
