"""Repository XML (Liquibase changelogs, Maven's pom.xml) read with the standard library's expat, safely: the
content is untrusted, so a document type declaration, where entities that expand without bound are declared, is
refused before any is read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.parsers import expat

DOCTYPE_REFUSED = "XML with a document type declaration is not read (entities could expand)"


def parse_untrusted(parser: Any, text: str, *, start: Callable[..., None], end: Callable[..., None],
                    data: Callable[[str], None] | None = None,
                    error: Callable[[str], Exception] = ValueError) -> None:
    """Run `parser` (from expat.ParserCreate(): its caller may read its position) over `text` with these handlers;
    a document type declaration or XML that does not parse raises `error(message)`."""
    def refuse(*_: object) -> None:
        raise error(DOCTYPE_REFUSED)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if data is not None:
        parser.CharacterDataHandler = data
    try:
        parser.Parse(text.encode("utf-8", errors="replace"), True)
    except expat.ExpatError as exc:
        raise error(f"XML does not parse: {exc}") from None
