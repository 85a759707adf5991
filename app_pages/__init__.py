"""The pages of the browser app (`app.py` is the entry point that lays them out)."""
