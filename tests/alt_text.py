"""What counts as alternative text that describes a figure (used by the notebook and the site tests).

A screen reader reads a figure's ``alt`` in place of the picture, so it must say
what is plotted and the point it makes. Rejected: no text at all, a file name or
path (what myst-nb writes when a cell has no alt metadata:
``../_images/b0b5...png``), and stubs such as "Figure", "plot of data" or "PNG
image", fewer than :data:`MIN_WORDS` words once the generic words are left out.
"""

from __future__ import annotations

import re

#: Fewest words a description needs besides the generic ones below.
MIN_WORDS = 5
#: Words that say an image is an image but not what it shows.
GENERIC_WORDS = frozenset(
    "a an the of figure fig image img picture graphic plot chart graph diagram output "
    "png jpg jpeg gif svg webp file".split()
)
IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|svg|webp)\b", re.IGNORECASE)
PATH_LIKE = re.compile(r"^\S*[/\\]\S*$")
HASH_LIKE = re.compile(r"\b[0-9a-f]{16,}\b", re.IGNORECASE)


def alt_text_problem(alt: str | None) -> str | None:
    """Why ``alt`` does not describe a figure, or None when it does."""
    if alt is None:
        return "no alt attribute"
    text = alt.strip()
    if not text:
        return "empty alt text"
    if IMAGE_FILE.search(text) or PATH_LIKE.match(text) or HASH_LIKE.search(text):
        return f"a file name or path, not a description: {text[:80]!r}"
    words = [word for word in re.findall(r"[A-Za-z]+", text) if word.lower() not in GENERIC_WORDS]
    if len(words) < MIN_WORDS:
        return f"a stub ({len(words)} descriptive words, at least {MIN_WORDS} needed): {text!r}"
    return None
