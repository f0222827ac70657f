"""Sphinx configuration of spark_smote's documentation (build: see README, "Documentation").

Markdown pages (MyST) for the guide; the API reference is generated from the docstrings at
build time by :mod:`api_pages` (one page per family, every public class with its params).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import api_pages  # noqa: E402

import spark_smote  # noqa: E402

project = "spark_smote"
author = "spark_smote contributors"
release = version = spark_smote.__version__
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "results/*.json", "results/*.log"]
myst_heading_anchors = 3
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # signatures are long keyword lists: the params tables say it
html_theme = "alabaster"
html_static_path: list[str] = []

api_pages.write(HERE / "api")
