"""Heuristic reading of the 2018 activity report text: the `TEMPS CONSACRÉ`
blocks, the table of contents bullets (dossier titles) and where each title is
printed in the body. PDF extraction scrambles the order, so titles are paired
with blocks by their position in the body, not by adjacency."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

BLOCK_RE = re.compile(r"TEMPS CONSACR[ÉE]\s*:\s*(\d[\d\s]*(?:,\d+)?)\s*jours(.*)")
SPLIT_RE = re.compile(r"(\d+(?:,\d+)?)\s*jours\s*(?:pour\s*(?:le|la|les)?\s*)?([A-Z][A-Za-z0-9]+)")
CORRESP_RE = re.compile(r"CORRESPONDANT(?: À L’AULA)?\s*:\s*(.+)")
EFFECTIF_RE = re.compile(r"NOMBRE DE COLLABORATEURS MOBILIS[ÉE]S\s*:\s*(.*)")
DOT_LEADER = "....."
#: single-line photo captions or page numbers printed inside a table of contents
TOC_NOISE = {"Lens", "Heuchin", "54"}
#: theme labels printed before a colon at the start of some TOC bullets
THEME_PREFIXES = (
    "Organisation territoriale",
    "Anticipation",
    "Modes de vie",
    "Santé",
    "Accessibilité tous modes",
    "La Troisième Révolution Industrielle (TRI)",
)


def norm(text: str) -> str:
    """Lower-case ASCII letters and digits only: survives ligature spaces
    (`défi nition`), line breaks and typographic apostrophes."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


def fix_ligatures(text: str) -> str:
    """`défi nition` -> `définition`: the PDF splits words after fi/fl/ff ligatures."""
    text = re.sub(r"(?<=\w)(fi|fl|ff) (?=[a-zàâçéèêëîïôûù])", r"\1", text)
    text = re.sub(r"(?<=\s)(fi|fl|ff) (?=[a-zàâçéèêëîïôûù])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def number(text: str) -> float:
    """French number `1 234,5` -> 1234.5."""
    return float(text.replace(" ", "").replace("\u202f", "").replace(",", "."))


@dataclass
class Block:
    line: int  # 1-based line of `TEMPS CONSACRÉ`
    jours: float
    correspondant: str
    effectif: int | None
    toute_agence: bool
    split: list[tuple[str, float]] = field(default_factory=list)  # (label as printed, days)
    split_text: str = ""


@dataclass
class Bullet:
    line: int  # 1-based line in the table of contents
    titre: str
    theme_prefixe: str = ""
    body_line: int | None = None  # 1-based line where the title is printed in the body


def _following(lines: list[str], start: int, limit: int = 4) -> list[str]:
    """The next non-empty lines after `start` (a label's value may wrap)."""
    out = []
    for text in lines[start + 1 :]:
        if text.strip():
            out.append(text.strip())
            if len(out) >= limit:
                break
    return out


def read_blocks(lines: list[str]) -> list[Block]:
    blocks = []
    for i, text in enumerate(lines):
        m = BLOCK_RE.search(text)
        if not m:
            continue
        rest = m.group(2)
        # the "(dont 71 jours pour le PMA et 86 jours pour le PETR)" part may wrap
        if "(" in rest and ")" not in rest:
            rest += " " + _following(lines, i, 1)[0]
        split = [(lab, number(d)) for d, lab in SPLIT_RE.findall(rest)]
        corresp, effectif_text = "", ""
        window = lines[i + 1 : i + 8]
        for j, w in enumerate(window):
            if not corresp and (c := CORRESP_RE.search(w)):
                corresp = c.group(1).strip()
            if e := EFFECTIF_RE.search(w):
                effectif_text = e.group(1).strip() or _following(lines, i + 1 + j, 1)[0]
                break
        toute = "ensemble de l" in effectif_text.lower()
        effectif = int(effectif_text) if effectif_text.isdigit() else None
        blocks.append(
            Block(i + 1, number(m.group(1)), corresp, effectif, toute, split, rest.strip(" ()"))
        )
    return blocks


def _clean_title(raw: str) -> tuple[str, str]:
    text = fix_ligatures(raw.split(DOT_LEADER)[0]).rstrip(" .")
    prefix = ""
    for p in THEME_PREFIXES:
        if text.startswith(p + " :"):
            prefix, text = p, text[len(p) + 2 :].strip()
            text = text[0].upper() + text[1:]
    return text, prefix


def _is_heading(text: str) -> bool:
    """A section (`1.2`), theme (`b.`) or axis heading of the table of contents.
    Headings with a page reference always follow one of these, so they never
    reach a bullet being continued."""
    return bool(re.match(r"^(\d\.\d|[a-d]\.\s|AXE\b)", text)) or (text.isupper() and len(text) > 3)


def read_toc_bullets(lines: list[str], axe: int, first_block: int) -> list[Bullet]:
    """Bullets of the axis' table of contents: from its first `k.n` heading to
    the last dot-leader line before the axis' first block (0-based index)."""
    start = next(i for i, t in enumerate(lines) if re.match(rf"^\s*{axe}\.\d\s", t))
    end = max(i for i in range(start, first_block) if DOT_LEADER in lines[i])
    bullets: list[list] = []
    current = None
    for i in range(start, end + 1):
        text = lines[i].strip()
        if not text or text in TOC_NOISE:
            continue
        if text.startswith("•"):
            current = [i + 1, text[1:].strip()]
            bullets.append(current)
        elif current is not None and DOT_LEADER not in current[1] and not _is_heading(text):
            current[1] += " " + text
        else:
            current = None
    out = []
    for line, raw in bullets:
        titre, prefix = _clean_title(raw)
        out.append(Bullet(line, titre, prefix))
    return out


def locate(body: str, body_lines: list[int], titre: str, keys: tuple[str, ...] = ()) -> int | None:
    """Line where a title is printed in the body: the whole normalised title,
    else its first or last 30 characters, else manual keys."""
    n = norm(titre)
    candidates = [n, n[:30], n[-30:], *[norm(k) for k in keys]]
    for key in candidates:
        if len(key) < 12:
            continue
        pos = body.find(key)
        if pos >= 0:
            return body_lines[pos]
    return None


def normalised_body(lines: list[str], start: int, end: int) -> tuple[str, list[int]]:
    """Concatenated normalised text of lines[start:end] and, for every
    character, its 1-based line number."""
    chars: list[str] = []
    where: list[int] = []
    for i in range(start, end):
        n = norm(lines[i])
        chars.append(n)
        where.extend([i + 1] * len(n))
    return "".join(chars), where
