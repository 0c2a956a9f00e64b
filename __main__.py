"""`python -m kehoach` is the `kehoach` command."""
from .cli import main

main()
