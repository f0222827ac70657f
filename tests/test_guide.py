"""The guide's examples (``>>>`` lines in docs/guide/*.md) run, on the shared session."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"
#: pages of a family of the library: each shows a runnable example
WITH_EXAMPLES = ("over_sampling", "cleaning", "metrics", "ensembles", "pipelines", "engine")


@pytest.mark.newest  # the samplers' behaviour by version is tested in their own modules
@pytest.mark.parametrize("page", sorted(p.stem for p in GUIDE.glob("*.md")))
def test_guide_examples_run(spark, page):
    # a fence line ends an example's expected output, as a blank line does
    text = re.sub(r"^```.*$", "", (GUIDE / f"{page}.md").read_text(), flags=re.MULTILINE)
    test = doctest.DocTestParser().get_doctest(text, {"spark": spark}, page, page, 0)
    if page in WITH_EXAMPLES:
        assert test.examples, f"docs/guide/{page}.md has no runnable example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0, "see the failed example above"
