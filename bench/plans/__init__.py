"""Generated plan families: a layout catalogue (catalogue.yaml), word lists (words.yaml), a
seeded generator of plans with their gold records (draw.py) and their renderings as
born-digital PDF, degraded scan and old OCR text (render.py, build.py)."""
