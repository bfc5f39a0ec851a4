"""Helpers shared by the test modules (fixtures live in conftest.py, rows in factories.py):
reading pages as HTML.
"""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

# --- Reading pages as HTML ------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent: Element | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs) -> list[Element]:
        return [
            el
            for el in self.walk()
            if (tag is None or el.tag == tag)
            and (cls is None or cls in el.classes)
            and all(el.attrs.get(name.replace("_", "-")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, **kwargs) -> Element:
        found = self.find_all(tag, **kwargs)
        assert found, f"no <{tag}> {kwargs}"
        return found[0]

    def has_ancestor(self, cls: str) -> bool:
        node = self.parent
        while node is not None:
            if cls in node.classes:
                return True
            node = node.parent
        return False


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.open = [self.root]
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: v or "" for k, v in attrs}, self.open[-1])
        self.open[-1].children.append(el)
        if tag not in VOID:
            self.open.append(el)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, 0, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        for el in self.open:
            el.parts.append(data)


def parse(response) -> Element:
    assert response.status_code == 200, response.status_code
    return Tree(response.content.decode()).root


def main_of(response) -> Element:
    return parse(response).find("main")


def headings(root: Element) -> list[tuple[int, str]]:
    return [(int(el.tag[1]), el.text) for el in root.walk() if el.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]


def assert_headings_in_order(root: Element, first: int = 1) -> None:
    levels = [level for level, _ in headings(root)]
    assert levels and levels[0] == first, headings(root)
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, headings(root)
