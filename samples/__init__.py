"""Sample inputs, their expected records and the tools that build them."""
from pathlib import Path

# The fonts every sample and test PDF embeds ship here (scripts/vendor-fonts.sh rebuilds them):
# a distribution's own build of the same font gives other PDF bytes.
FONT_DIR = Path(__file__).resolve().parent / "fonts"
