"""extract stage of kehoach."""
