"""Presentation: text, JSON, LaTeX atoms and views, Jinja2 templates, PDF, plots."""
