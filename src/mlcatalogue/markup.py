"""Markup: the Markdown-ish text of catalogue entries → HTML with MathML.

Entry statements, proofs and notes are short Markdown with `$...$` inline and `$$...$$` display
math. This stage turns them into safe HTML: paragraphs, `-`/`1.` lists, `` `code` ``, `*em*`,
`**strong**`, `[text](https://...)` links, and formulas converted at build time to MathML by
latex2mathml, so pages show mathematics without JavaScript. Every other character is escaped.
A formula that does not convert is shown as its escaped source in `<code class="tex-error">`
and reported by `find_latex_problems` with the entry's file and line. Conversions are cached
per formula, so checking and rendering the same catalogue converts each formula once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

from markupsafe import Markup

from mlcatalogue.model import Entry, Problem

MATH_FIELDS = ("title", "statement", "proof", "notes")
"""The entry fields that may hold formulas, in the order they appear in an entry."""

_LIST_ITEM = re.compile(r"^\s{0,3}(?:(?P<bullet>[-*+])|(?P<number>\d{1,3})[.)])\s+(?P<rest>.*)$")
_CHARACTER_REFERENCE = re.compile(r"&#(?:x([0-9A-Fa-f]+)|([0-9]+));")
_BEGIN = re.compile(r"\\begin\s*\{([^}]*)\}")
_COMMAND = re.compile(r"\\[A-Za-z]+")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.DOTALL)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
# Chromium implements MathML Core, where `mathvariant` only means "normal": styled alphabets must
# be written with the Unicode mathematical alphanumeric characters. Start of A, a and 0 per style.
_ALPHABETS: dict[str, tuple[int, int, int | None]] = {
    "bold": (0x1D400, 0x1D41A, 0x1D7CE),
    "italic": (0x1D434, 0x1D44E, None),
    "bold-italic": (0x1D468, 0x1D482, None),
    "script": (0x1D49C, 0x1D4B6, None),
    "bold-script": (0x1D4D0, 0x1D4EA, None),
    "fraktur": (0x1D504, 0x1D51E, None),
    "double-struck": (0x1D538, 0x1D552, 0x1D7D8),
    "bold-fraktur": (0x1D56C, 0x1D586, None),
    "sans-serif": (0x1D5A0, 0x1D5BA, 0x1D7E2),
    "bold-sans-serif": (0x1D5D4, 0x1D5EE, 0x1D7EC),
    "sans-serif-italic": (0x1D608, 0x1D622, None),
    "sans-serif-bold-italic": (0x1D63C, 0x1D656, None),
    "monospace": (0x1D670, 0x1D68A, 0x1D7F6),
}
# Letters that Unicode encoded before the mathematical block (the block has holes there).
_ALPHABET_HOLES: dict[tuple[str, str], str] = {
    ("italic", "h"): "\u210e",
    **{("script", c): u for c, u in zip("BEFHILMRego", "\u212c\u2130\u2131\u210b\u2110\u2112\u2133\u211b\u212f\u210a\u2134")},
    **{("fraktur", c): u for c, u in zip("CHIRZ", "\u212d\u210c\u2111\u211c\u2128")},
    **{("double-struck", c): u for c, u in zip("CHNPQRZ", "\u2102\u210d\u2115\u2119\u211a\u211d\u2124")},
}
_OPERATORNAME_STAR = re.compile(r"\\operatorname\*\s*\{")
_OPERATORNAME = re.compile(r"\\operatorname\s*\{([^{}]*)\}")
_OPERATOR_SPACES = re.compile(r"\\[,;:! ]|~|\s+")
_ARG_LIMIT = re.compile(r"\\arg\s*\\?(min|max)(?![A-Za-z])")
_ARG = re.compile(r"\\arg(?![A-Za-z])")
_NAMED_OPERATOR_TEXT = {"argmin": "arg\u2009min", "argmax": "arg\u2009max"}
_ORDINARY_OPERATORS = frozenset({"/", "|", "\u2016", "\u2032", "\u2033", "\u2034"})
_OPENERS = frozenset("([{|\u2016\u27e8\u230a\u2308")
_BIG_OPERATORS = frozenset("\u2211\u220f\u2210\u22c3\u22c2\u2a01\u2a02\u2a00\u22c1\u22c0")
# Element texts latex2mathml fills with the name of a command it does not know.
_TOKEN_ELEMENTS = frozenset({"mi", "mo", "mn", "mtext", "ms"})


@dataclass(frozen=True)
class Formula:
    """One formula and its conversion: `mathml` is set when it converted, `error` otherwise."""

    latex: str
    display: bool
    mathml: str | None
    error: str | None = None

    @property
    def html(self) -> Markup:
        """The MathML, or the escaped source marked as an error when it did not convert."""
        if self.mathml is not None:
            if self.display:
                return Markup('<span class="math-display">{}</span>').format(Markup(self.mathml))
            return Markup(self.mathml)
        delimiter = "$$" if self.display else "$"
        return Markup('<code class="tex-error" title="{}">{}{}{}</code>').format(
            f"LaTeX does not convert: {self.error}", delimiter, self.latex, delimiter
        )


@dataclass(frozen=True)
class Span:
    """A piece of inline text: plain text, inline code, a formula, or an unmatched `$`."""

    kind: str  # "text" | "code" | "math" | "display" | "stray"
    text: str
    line: int  # 0-based line within the whole field text


@dataclass(frozen=True)
class Block:
    """A paragraph or a list; `items` are (text, first line) pairs, one per list item."""

    kind: str  # "p" | "ul" | "ol"
    items: tuple[tuple[str, int], ...]


@lru_cache(maxsize=8192)
def convert_formula(latex: str, display: bool = False) -> Formula:
    """Convert one LaTeX formula to MathML, or say why it does not convert (cached)."""
    from latex2mathml.commands import MATRICES
    from latex2mathml.converter import convert_to_element

    source = latex.strip()
    if not source:
        return Formula(latex, display, None, "empty formula")
    error = _brace_error(source)
    if error is None:
        environments = {name.lstrip("\\") for name in MATRICES}
        for match in _BEGIN.finditer(source):
            if match.group(1) not in environments:
                error = (
                    f"environment {match.group(1)!r} is not supported "
                    f"(use one of: {', '.join(sorted(environments))})"
                )
                break
    if error is not None:
        return Formula(latex, display, None, error)
    try:
        element = convert_to_element(_expand_macros(source), display="block" if display else "inline")
    # latex2mathml signals malformed input with a zoo of exception types (its own, IndexError,
    # KeyError, ...); any of them means "this formula does not convert", which is a reported
    # problem of the catalogue, not a crash of the build.
    except Exception as failure:  # noqa: BLE001
        name = type(failure).__name__
        detail = str(failure).strip()
        return Formula(latex, display, None, f"{name}: {detail}" if detail else name)
    error = _output_error(element)
    if error is not None:
        return Formula(latex, display, None, error)
    _normalise(element)
    _typeset_operators(element)
    return Formula(latex, display, _serialize(element, source), None)


def render_markup(text: str | None) -> Markup:
    """Render block text (paragraphs, lists, display and inline math) as safe HTML."""
    if not text or not text.strip():
        return Markup("")
    parts: list[str] = []
    for block in split_blocks(text):
        if block.kind == "p":
            body, line = block.items[0]
            spans = split_spans(body, line)
            meaningful = [span for span in spans if span.kind != "text" or span.text.strip()]
            if len(meaningful) == 1 and meaningful[0].kind == "display":
                # A display formula on its own needs no paragraph around it.
                parts.append(str(_render_spans(meaningful)))
            else:
                parts.append(f"<p>{_render_spans(spans)}</p>")
        else:
            items = "".join(
                f"<li>{_render_spans(split_spans(item, line))}</li>" for item, line in block.items
            )
            parts.append(f"<{block.kind}>{items}</{block.kind}>")
    return Markup("\n".join(parts))


def render_inline(text: str | None) -> Markup:
    """Render one line of text (a title, a description) with inline math, without paragraphs."""
    if not text:
        return Markup("")
    return _render_spans(split_spans(" ".join(text.split()), 0))


def plain_text(text: str | None) -> str:
    """The text with math delimiters removed, for places that cannot hold markup (<title>)."""
    if not text:
        return ""
    pieces = []
    for span in split_spans(" ".join(text.split()), 0):
        pieces.append(span.text if span.kind != "stray" else "$")
    return "".join(pieces)


def find_latex_problems(entries: Iterable[Entry], root: Path | None = None) -> list[Problem]:
    """A problem for every formula of the entries that does not convert, or a stray `$`.

    Problems are located at the entry (`entry.path`, `entry.line`); given the repository
    `root`, the line is refined to the line of the YAML file where the formula is written.
    """
    problems: list[Problem] = []
    file_lines: dict[str, list[str] | None] = {}
    for entry in entries:
        for field_name in MATH_FIELDS:
            text = getattr(entry, field_name)
            if not text:
                continue
            for span, formula in _field_formulas(text):
                if span.kind == "stray":
                    message = (
                        f"entry {entry.id!r}, {field_name}: a '$' without its closing '$' "
                        f"(write \\$ for a dollar sign)"
                    )
                    field_lines = text.splitlines()
                    needle = field_lines[span.line].strip() if span.line < len(field_lines) else None
                elif formula is not None and formula.error is not None:
                    delimiter = "$$" if formula.display else "$"
                    message = (
                        f"entry {entry.id!r}, {field_name}: LaTeX does not convert: "
                        f"{delimiter}{_shorten(formula.latex)}{delimiter}: {formula.error}"
                    )
                    needle = formula.latex.strip().splitlines()[0] if formula.latex.strip() else None
                else:
                    continue
                line = entry.line
                if root is not None and needle:
                    line = _locate(root, entry, needle, file_lines) or entry.line
                problems.append(Problem(entry.path, line, "latex", message))
    return problems


def split_blocks(text: str) -> list[Block]:
    """Split text into paragraphs and lists at blank lines (a `$$` display never splits)."""
    blocks: list[Block] = []
    lines = text.replace("\r\n", "\n").split("\n")
    paragraph: list[str] = []
    paragraph_start = 0
    items: list[tuple[list[str], int]] = []
    list_kind = ""
    in_display = False
    in_inline = False

    def flush() -> None:
        nonlocal paragraph, items, list_kind
        if paragraph:
            blocks.append(Block("p", (("\n".join(paragraph), paragraph_start),)))
        if items:
            blocks.append(Block(list_kind, tuple(("\n".join(body), at) for body, at in items)))
        paragraph, items, list_kind = [], [], ""

    for number, line in enumerate(lines):
        if not in_display and not line.strip():
            flush()
            in_inline = False
            continue
        match = None if in_display or in_inline else _LIST_ITEM.match(line)
        if match and paragraph and (match.group("number") or "1") != "1":
            match = None  # only a bullet or "1." interrupts a paragraph, as in CommonMark
        if match:
            if paragraph:
                flush()
            kind = "ol" if match.group("number") else "ul"
            if items and kind != list_kind:
                flush()
            list_kind = kind
            items.append(([match.group("rest")], number))
        elif items:
            items[-1][0].append(line.strip())
        else:
            if not paragraph:
                paragraph_start = number
            paragraph.append(line.strip())
        doubles = _unescaped_count(line, "$$")
        if doubles % 2 == 1:
            in_display = not in_display
        if (_unescaped_count(line, "$") - 2 * doubles) % 2 == 1:
            in_inline = not in_inline
    flush()
    return blocks


def split_spans(text: str, line: int = 0) -> list[Span]:
    """Split inline text into text, code, inline math, display math and stray `$` spans."""
    spans: list[Span] = []
    buffer: list[str] = []
    buffer_line = line
    position = 0
    current_line = line

    def emit_text() -> None:
        if buffer:
            spans.append(Span("text", "".join(buffer), buffer_line))
            buffer.clear()

    length = len(text)
    while position < length:
        char = text[position]
        if char == "\\" and position + 1 < length and text[position + 1] in "$`\\":
            if not buffer:
                buffer_line = current_line
            buffer.append(text[position + 1])
            position += 2
            continue
        if char == "`":
            end = text.find("`", position + 1)
            if end != -1:
                emit_text()
                spans.append(Span("code", text[position + 1:end], current_line))
                current_line += text.count("\n", position, end)
                position = end + 1
                continue
        if char == "$":
            display = text.startswith("$$", position)
            opener = 2 if display else 1
            end = _closing_dollar(text, position + opener, display)
            emit_text()
            if end == -1:
                spans.append(Span("stray", "$$" if display else "$", current_line))
                position += opener
                continue
            spans.append(Span("display" if display else "math", text[position + opener:end], current_line))
            current_line += text.count("\n", position, end)
            position = end + opener
            continue
        if not buffer:
            buffer_line = current_line
        buffer.append(char)
        if char == "\n":
            current_line += 1
        position += 1
    emit_text()
    return spans


def _field_formulas(text: str) -> Iterator[tuple[Span, Formula | None]]:
    for block in split_blocks(text):
        for item, line in block.items:
            for span in split_spans(item, line):
                if span.kind in ("math", "display"):
                    yield span, convert_formula(span.text, span.kind == "display")
                elif span.kind == "stray":
                    yield span, None


def _render_spans(spans: list[Span]) -> Markup:
    """Escape text, substitute formulas and code, then apply emphasis and links to the result."""
    kept: list[str] = []
    pieces: list[str] = []
    for span in spans:
        if span.kind == "text":
            pieces.append(html.escape(span.text.replace("\x00", ""), quote=True))
            continue
        if span.kind == "code":
            kept.append(f"<code>{html.escape(span.text)}</code>")
        elif span.kind == "stray":
            kept.append(html.escape(span.text))
        else:
            kept.append(str(convert_formula(span.text, span.kind == "display").html))
        pieces.append(f"\x00{len(kept) - 1}\x00")
    joined = "".join(pieces)
    joined = _LINK.sub(r'<a href="\2">\1</a>', joined)
    joined = _STRONG.sub(r"<strong>\1</strong>", joined)
    joined = _EMPHASIS.sub(r"<em>\1</em>", joined)
    joined = _PLACEHOLDER.sub(lambda match: kept[int(match.group(1))], joined)
    return Markup(joined.strip())


def _closing_dollar(text: str, start: int, display: bool) -> int:
    """Index of the `$` (or `$$`) closing a formula opened before `start`, or -1."""
    position = start
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "$":
            if display:
                return position if text.startswith("$$", position) else -1
            return position if position > start else -1
        if not display and char == "\n" and text.startswith("\n", position + 1):
            return -1
        position += 1
    return -1


def _unescaped_count(line: str, token: str) -> int:
    return len(re.findall(r"(?<!\\)" + re.escape(token), line))


def _brace_error(source: str) -> str | None:
    depth = 0
    position = 0
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "a '}' closes no '{'"
        position += 1
    return f"{depth} unclosed '{{'" if depth > 0 else None


def _expand_macros(source: str) -> str:
    """Spell the few common macros latex2mathml lacks in ones it knows."""
    source = _OPERATORNAME_STAR.sub(r"\\operatorname{", source)
    source = _OPERATORNAME.sub(lambda match: "\\operatorname{" + _OPERATOR_SPACES.sub("", match.group(1)) + "}", source)
    source = _ARG_LIMIT.sub(lambda match: "\\operatorname{arg" + match.group(1) + "}", source)
    return _ARG.sub(r"\\operatorname{arg}", source)


def _typeset_operators(element: Element) -> None:
    """Give named operators TeX's spacing and limits (latex2mathml leaves them as plain `mo`).

    `\\max_{h}` becomes an `munder` with movable limits, so it sets its limit below in display
    style and as a subscript inline, as TeX does; `\\operatorname{Var}(X)` gets a thin space before
    and none before its parenthesis, instead of the wide default space of an unknown operator.
    """
    for parent in element.iter():
        children = list(parent)
        for index, child in enumerate(children):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag in ("msub", "msubsup") and len(child) >= 2:
                base = child[0]
                if base.tag.rsplit("}", 1)[-1] == "mo" and _is_limit_operator(base.text or ""):
                    child.tag = "munder" if tag == "msub" else "munderover"
                    base.set("movablelimits", "true")
            elif tag == "mo" and (child.text or "").strip() in _ORDINARY_OPERATORS:
                # TeX sets /, bars and primes as ordinary symbols; MathML would space a bar in the
                # middle of a row like a relation.
                child.set("lspace", "0")
                child.set("rspace", "0")
            elif tag in ("mi", "mo") and (child.text or "").strip() == ":":
                child.tag = "mo"
                child.set("lspace", "0.2778em")  # TeX's relation spacing for a colon
                child.set("rspace", "0.2778em")
            elif tag == "mo" and _is_named_operator(child.text or ""):
                child.text = _NAMED_OPERATOR_TEXT.get(child.text or "", child.text)
                following = children[index + 1] if index + 1 < len(children) else None
                opens = following is not None and (following.text or "").strip() in _OPENERS
                child.set("lspace", "0.1667em")
                child.set("rspace", "0" if opens else "0.1667em")
        for child in children:
            if child.tag.rsplit("}", 1)[-1] in ("munder", "munderover") and len(child):
                base = child[0]
                if base.tag.rsplit("}", 1)[-1] == "mo" and _is_named_operator(base.text or ""):
                    base.text = _NAMED_OPERATOR_TEXT.get(base.text or "", base.text)


def _is_named_operator(text: str) -> bool:
    return len(text) > 1 and text.isalpha()


def _is_limit_operator(text: str) -> bool:
    return _is_named_operator(text) or text in _BIG_OPERATORS


def _output_error(element: Element) -> str | None:
    for node in element.iter():
        tag = node.tag.rsplit("}", 1)[-1]
        text = node.text or ""
        if tag == "mo" and len(node):
            return "\\mathop is not supported: write \\operatorname{...}"
        if tag in _TOKEN_ELEMENTS and tag != "mtext":
            command = _COMMAND.match(text.strip())
            if command:
                return f"unknown command {command.group(0)}"
            if text.strip() == "&":
                return "'&' outside an alignment environment (aligned is not supported: use align*)"
    return None


def _normalise(element: Element) -> None:
    """Turn latex2mathml's `&#x...;` strings into characters and styled alphabets into Unicode.

    latex2mathml writes symbols as `&#x...;` strings into the element texts and un-escapes its
    whole output, which would let a `<` from `\\text{...}` through raw; we decode the references
    instead, and let ElementTree escape every text exactly once when serializing.
    """
    for node in element.iter():
        if node.text:
            node.text = _CHARACTER_REFERENCE.sub(_character, node.text)
        if node.tail:
            node.tail = _CHARACTER_REFERENCE.sub(_character, node.tail)
        for key, value in list(node.attrib.items()):
            node.attrib[key] = _CHARACTER_REFERENCE.sub(_character, value)
        variant = node.attrib.get("mathvariant")
        if variant in _ALPHABETS:
            for token in node.iter():
                if token.text and token.tag.rsplit("}", 1)[-1] in _TOKEN_ELEMENTS:
                    token.text = "".join(_styled(char, variant) for char in token.text)
            del node.attrib["mathvariant"]


def _serialize(element: Element, source: str) -> str:
    """The `<math>` element as HTML, its TeX source kept as an annotation."""
    children = list(element)
    for child in children:
        element.remove(child)
    semantics = SubElement(element, "semantics")
    if len(children) == 1:
        semantics.append(children[0])
    else:
        row = SubElement(semantics, "mrow")
        row.extend(children)
    annotation = SubElement(semantics, "annotation", {"encoding": "application/x-tex"})
    annotation.text = source
    return tostring(element, encoding="unicode", short_empty_elements=False)


def _styled(char: str, variant: str) -> str:
    """The character in a mathematical alphabet (unchanged when the alphabet lacks it)."""
    upper, lower, digit = _ALPHABETS[variant]
    if (variant, char) in _ALPHABET_HOLES:
        return _ALPHABET_HOLES[(variant, char)]
    if "A" <= char <= "Z":
        return chr(upper + ord(char) - ord("A"))
    if "a" <= char <= "z":
        return chr(lower + ord(char) - ord("a"))
    if digit is not None and "0" <= char <= "9":
        return chr(digit + ord(char) - ord("0"))
    return char


def _character(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


def _shorten(latex: str, limit: int = 60) -> str:
    flat = " ".join(latex.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _locate(
    root: Path, entry: Entry, needle: str, cache: dict[str, list[str] | None]
) -> int | None:
    """The 1-based line of the entry's file, at or after the entry, that contains `needle`."""
    if entry.path not in cache:
        try:
            cache[entry.path] = (root / entry.path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            cache[entry.path] = None
    lines = cache[entry.path]
    if not lines:
        return None
    needle = needle.strip()
    for number in range(max(entry.line - 1, 0), len(lines)):
        if needle in lines[number]:
            return number + 1
    return None
