"""normalize stage of kehoach."""
