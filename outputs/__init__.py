"""outputs stage of kehoach."""
