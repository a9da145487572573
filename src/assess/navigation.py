"""Links between the pages of one area's assessment, filled in once every page is written.

Each page carries empty placeholders, `<nav class="assess-nav" aria-label="...">`, at the top
and the bottom of its main content (the nbconvert template and the package's own page
template both write them). A page cannot know its neighbours while the notebooks run in
parallel, so `link_pages` fills them afterwards: Summary, every page in page order, the
glossary, the county page, and Previous/Next, all as relative links within the folder, so a
folder forwarded or copied whole keeps working.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SUMMARY = "index.html"
GLOSSARY = "glossary.html"
# A placeholder, or a navigation filled by an earlier call: filling again gives the same page.
# Its attributes are kept as written, in any order (nbconvert sorts them).
_NAV = re.compile(r'<nav(\s[^>]*\bclass="assess-nav"[^>]*)>.*?</nav>', re.DOTALL)


@dataclass(frozen=True)
class NavLink:
    """A page of the folder and its short label in the navigation ("Action plan")."""

    file: str
    label: str


def link_pages(folder: Path, links: Sequence[NavLink], county_href: str | None = None) -> list[Path]:
    """Fill the navigation placeholders of the summary, the listed pages and the glossary, in place.

    Parameters
    ----------
    folder
        The area's folder: every page named is a file directly inside it.
    links
        The pages in page order, not the summary or the glossary: the summary (index.html)
        always comes first and the glossary (glossary.html) last, when the folder has one.
    county_href
        The county summary relative to the folder (an all-areas run), or None for no such link.

    Returns
    -------
    list of Path
        The pages rewritten, in navigation order.

    Raises
    ------
    ValueError
        A page named outside the folder, missing, or without a placeholder: nothing is
        written then, so a run never leaves some pages linked and others not.
    """
    order = [NavLink(SUMMARY, "Summary"), *links]
    if (folder / GLOSSARY).is_file():
        order.append(NavLink(GLOSSARY, "Glossary"))
    pages = {}
    for link in order:
        path = _inside(folder, link.file)
        text = path.read_text(encoding="utf-8")
        if not _NAV.search(text):
            raise ValueError(f'{path}: no navigation placeholder (<nav class="assess-nav" ...>) to fill')
        pages[link.file] = (path, text)
    written = []
    for position, link in enumerate(order):
        path, text = pages[link.file]
        previous = order[position - 1] if position > 0 else None
        following = order[position + 1] if position + 1 < len(order) else None
        inner = _links(order, link, previous, following, county_href)
        filled = _NAV.sub(lambda match, inner=inner: f"<nav{match[1]}>{inner}</nav>", text)
        _replace(path, filled)
        written.append(path)
    return written


def _inside(folder: Path, name: str) -> Path:
    """The page `name` directly inside `folder`, or a ValueError: no path leads elsewhere."""
    if not name or name != Path(name).name or name.startswith("."):
        raise ValueError(f"{name!r}: a page is named by its file name within {folder}, with no folder")
    path = folder / name
    if path.is_symlink() or not path.is_file():
        raise ValueError(f"{path}: no such page in {folder}")
    return path


def _links(
    order: Sequence[NavLink],
    current: NavLink,
    previous: NavLink | None,
    following: NavLink | None,
    county_href: str | None,
) -> str:
    """The navigation's HTML: every page (the current one marked), then Previous and Next."""
    items = []
    for link in order:
        mark = ' aria-current="page"' if link == current else ""
        items.append(f'<li><a href="{_attribute(link.file)}"{mark}>{html.escape(link.label)}</a></li>')
    if county_href:
        items.append(f'<li><a href="{_attribute(county_href)}">County</a></li>')
    steps = []
    if previous:
        steps.append(
            f'<li><a href="{_attribute(previous.file)}" rel="prev">Previous: {html.escape(previous.label)}</a></li>'
        )
    if following:
        steps.append(
            f'<li><a href="{_attribute(following.file)}" rel="next">Next: {html.escape(following.label)}</a></li>'
        )
    return f'<ul class="assess-nav-pages">{"".join(items)}</ul><ul class="assess-nav-steps">{"".join(steps)}</ul>'


def _attribute(href: str) -> str:
    """A relative link as an attribute value: percent-encoded, so a name holding '#', '?' or ':' stays a file
    name (never a fragment, a query or a scheme), then escaped."""
    return html.escape(quote(href), quote=True)


def _replace(path: Path, text: str) -> None:
    """Write the page whole or not at all: a temporary file beside it, then swapped in."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".nav-", suffix=".html")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        # mkstemp makes the file private; the page keeps the permissions it had.
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
