"""`python -m etl fetch [--theme T] [--dest DIR]`: download the official INSEE
files listed in `datasets/sources.toml` into `datasets/raw/`.

Each file is downloaded to `<name>.part` then renamed, so an interrupted
download never leaves a truncated file that the build would read. The sha256
of every file is recorded in `fetch-log.json`; a checksum given in
`sources.toml` that does not match refuses the file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import sys
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from etl import paths

LOG_NAME = "fetch-log.json"
USER_AGENT = "chiffres-clefs-etl/1.0 (python urllib)"
CHUNK = 1 << 16
MOVED_HINT = "l'Insee a peut-être déplacé le fichier ; mettez à jour datasets/sources.toml"


class FetchError(Exception):
    """A download that failed, with a French message saying what to do."""


@dataclass(frozen=True)
class Source:
    fournisseur: str
    theme: str
    millesime: int
    url: str
    fichier: str
    sha256: str | None = None
    titre: str = ""
    page: str = ""


def load_sources(path: Path | None = None) -> list[Source]:
    """Every entry of sources.toml ([fournisseur.theme.millesime] tables)."""
    path = Path(path) if path else paths.SOURCES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FetchError(f"{path} : fichier des sources introuvable") from None
    except tomllib.TOMLDecodeError as exc:
        raise FetchError(f"{path} : TOML invalide ({exc})") from None
    out = []
    for fournisseur, themes in data.items():
        for theme, vintages in themes.items():
            for millesime, entry in vintages.items():
                where = f"{path.name} [{fournisseur}.{theme}.{millesime}]"
                if not str(millesime).isdigit():
                    raise FetchError(f"{where} : millésime attendu (année), trouvé {millesime!r}")
                fichier = str(entry.get("fichier", "")).strip()
                if not fichier or "/" in fichier or "\\" in fichier or fichier.startswith("."):
                    raise FetchError(f"{where} : « fichier » doit être un simple nom de fichier")
                sha = str(entry.get("sha256", "")).strip().lower() or None
                if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
                    raise FetchError(f"{where} : « sha256 » doit compter 64 caractères hexadécimaux")
                out.append(Source(
                    fournisseur=fournisseur, theme=theme, millesime=int(millesime),
                    url=str(entry.get("url", "")).strip(), fichier=fichier, sha256=sha,
                    titre=str(entry.get("titre", "")), page=str(entry.get("page", "")),
                ))
    return out


def _size(n: float) -> str:
    for unit in ("o", "Ko", "Mo", "Go"):
        if n < 1024 or unit == "Go":
            text = f"{n:.0f}" if unit == "o" else f"{n:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        n /= 1024
    return ""  # pragma: no cover


def _progress(out: TextIO, name: str, done: int, total: int | None) -> None:
    if total:
        out.write(f"\r  {name} : {done * 100 // total:3d} % ({_size(done)} / {_size(total)})")
    else:
        out.write(f"\r  {name} : {_size(done)}")
    out.flush()


def download(source: Source, dest: Path, *, timeout: float = 60.0, progress: TextIO | None = None) -> dict:
    """Download one source into `dest`; return its log entry (progress on stderr)."""
    progress = progress or sys.stderr
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / source.fichier
    part = dest / (source.fichier + ".part")
    where = f"{source.theme} {source.millesime} ({source.url})"
    request = urllib.request.Request(source.url, headers={"User-Agent": USER_AGENT})
    h = hashlib.sha256()
    done = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp, open(part, "wb") as fh:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            last = -1
            while True:
                chunk = resp.read(CHUNK)
                if not chunk:
                    break
                fh.write(chunk)
                h.update(chunk)
                done += len(chunk)
                step = done * 100 // total if total else done // (1 << 20)
                if step != last:
                    _progress(progress, source.fichier, done, total)
                    last = step
            if done == 0:
                _progress(progress, source.fichier, done, total)
            progress.write("\n")
            if total is not None and done != total:
                raise FetchError(f"{where} : téléchargement incomplet ({done} octets reçus sur {total})")
    except urllib.error.HTTPError as exc:
        part.unlink(missing_ok=True)
        if exc.code in (404, 410):
            raise FetchError(f"{where} : fichier introuvable (HTTP {exc.code}) ; {MOVED_HINT}"
                             + (f" (voir {source.page})" if source.page else "")) from None
        raise FetchError(f"{where} : le serveur a répondu HTTP {exc.code} ({exc.reason})") from None
    except (socket.timeout, TimeoutError) as exc:
        part.unlink(missing_ok=True)
        raise FetchError(f"{where} : pas de réponse après {timeout:g} s ({exc}) ; {MOVED_HINT}") from None
    except urllib.error.URLError as exc:
        part.unlink(missing_ok=True)
        if isinstance(exc.reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"{where} : pas de réponse après {timeout:g} s ; {MOVED_HINT}") from None
        raise FetchError(f"{where} : connexion impossible ({exc.reason})") from None
    except FetchError:
        part.unlink(missing_ok=True)
        raise
    digest = h.hexdigest()
    if source.sha256 and digest != source.sha256:
        part.unlink(missing_ok=True)
        raise FetchError(
            f"{where} : somme de contrôle différente de celle de datasets/sources.toml "
            f"(attendu {source.sha256}, reçu {digest}) ; fichier refusé. Si l'Insee a republié le fichier, "
            "vérifiez-le puis mettez à jour sha256 dans datasets/sources.toml."
        )
    os.replace(part, target)
    return {
        "fournisseur": source.fournisseur, "theme": source.theme, "millesime": source.millesime,
        "url": source.url, "fichier": source.fichier, "sha256": digest, "octets": done,
        "telecharge_le": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _write_log(dest: Path, entries: dict) -> None:
    log = dest / LOG_NAME
    tmp = dest / (LOG_NAME + ".part")
    tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, log)


def read_log(dest: Path) -> dict:
    log = Path(dest) / LOG_NAME
    if not log.exists():
        return {}
    try:
        return json.loads(log.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl fetch",
                                     description="Télécharger les fichiers officiels listés dans datasets/sources.toml")
    parser.add_argument("--theme", action="append", help="thème à télécharger (répétable), ex. logement, filosofi")
    parser.add_argument("--dest", type=Path, default=None, help="dossier de destination (défaut : datasets/raw/)")
    parser.add_argument("--sources", type=Path, default=None, help="fichier des sources (défaut : datasets/sources.toml)")
    parser.add_argument("--timeout", type=float, default=60.0, help="délai d'attente en secondes (défaut : 60)")
    parser.add_argument("--force", action="store_true", help="retélécharger les fichiers déjà présents")
    args = parser.parse_args(argv)
    dest = args.dest or paths.raw_dir()
    try:
        sources = load_sources(args.sources)
    except FetchError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 2
    if args.theme:
        known = sorted({s.theme for s in sources})
        unknown = [t for t in args.theme if t not in known]
        if unknown:
            print(f"ERREUR : thème inconnu {', '.join(unknown)} (thèmes : {', '.join(known)})", file=sys.stderr)
            return 2
        sources = [s for s in sources if s.theme in args.theme]
    dest.mkdir(parents=True, exist_ok=True)
    entries = read_log(dest)
    failures = 0
    for s in sources:
        if not s.url:
            print(f"  ignoré   {s.theme} {s.millesime} : URL non renseignée dans datasets/sources.toml"
                  + (f" (voir {s.page})" if s.page else ""), file=sys.stderr)
            continue
        target = dest / s.fichier
        if target.exists() and not args.force:
            print(f"  présent  {s.fichier} (--force pour le retélécharger)", file=sys.stderr)
            continue
        print(f"Téléchargement {s.titre or s.fichier} …", file=sys.stderr)
        try:
            entries[s.fichier] = download(s, dest, timeout=args.timeout)
        except FetchError as exc:
            failures += 1
            print(f"ERREUR : {exc}", file=sys.stderr)
            continue
        _write_log(dest, entries)
    if failures:
        print(f"{failures} téléchargement(s) en échec.", file=sys.stderr)
        return 1
    return 0
