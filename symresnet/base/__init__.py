"""The lowest layer: the error hierarchy, safe file writing and the printing protocol."""
