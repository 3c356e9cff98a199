"""`python -m etl fetch [--theme T] [--dest DIR] [--accept-new] [--melodi DATASET]`:
download the official INSEE files listed in `datasets/sources.toml` into
`datasets/raw/`, as carefully as a package manager does.

- Each file goes to `<name>.part`, is checked, then renamed over the old file:
  an interrupted or refused download never leaves a truncated file that the
  build would read, and never replaces a good file. The `.part` is removed on
  every failure, Ctrl-C included (exit 130, no traceback).
- Time: `--timeout` bounds each read (and the connection), `--deadline` the
  whole file (a server trickling one byte every 2 s is cut at the deadline).
- Retries, restarting from the first byte: connection reset, refused or cut,
  chunked transfer cut short, fewer bytes than announced, timeouts, HTTP 5xx
  and 429 (Retry-After honoured), with exponential back-off.
- Size cap (`--max-size`, default 1 Go), announced or streamed.
- Content check before anything is replaced: a `.zip` must start with the zip
  magic `PK\\x03\\x04` and have a readable central directory; a `.csv` must
  start with a header line holding `;`. An HTML page (portal, login, error
  page served with status 200) is refused.
- Redirects are followed by hand, at most MAX_REDIRECTS, and only to hosts of
  `allowed_hosts` in sources.toml (a loop or a hop to another host is refused).
- Checksums: the sha256 of each file is recorded in the lock file
  (`datasets/sources.lock.toml`, next to sources.toml, committed) after its
  first successful download; a later download with another checksum is
  refused loudly, the old file kept, unless `--accept-new` is given. A
  `sha256` written in sources.toml itself pins the file the same way.
- One failure does not stop the others: a summary at the end, exit 1.

`--melodi DATASET` downloads one dataset of INSEE's Melodi API instead (see
`etl/melodi.py`).
"""
from __future__ import annotations

import argparse
import email.utils
import hashlib
import http.client
import json
import os
import socket
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TextIO

from etl import paths

LOG_NAME = "fetch-log.json"
USER_AGENT = "chiffres-clefs-etl/1.0 (python urllib)"
CHUNK = 1 << 16
MOVED_HINT = "l'Insee a peut-être déplacé le fichier ; mettez à jour datasets/sources.toml"
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 60.0
DEFAULT_DEADLINE = 1800.0
DEFAULT_RETRIES = 4
DEFAULT_MAX_SIZE = 1 << 30
# Back-off before retry n (n = 1, 2, …): BACKOFF * 2**(n-1) seconds, at most BACKOFF_MAX.
# The tests set ETL_FETCH_BACKOFF to a few milliseconds.
BACKOFF = float(os.environ.get("ETL_FETCH_BACKOFF", "2"))
BACKOFF_MAX = 60.0
# A Retry-After longer than this is not waited for: the download fails with the delay asked.
RETRY_AFTER_MAX = 300.0
ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_HOSTS = ("www.insee.fr", "insee.fr", "api.insee.fr")


class FetchError(Exception):
    """A download that failed, with a French message saying what to do."""


class _Retryable(FetchError):
    """A failure worth another attempt (network, 5xx, 429); `wait`: the server's Retry-After."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


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


@dataclass
class Sources:
    """sources.toml read whole: the entries, the hosts downloads may reach, the Melodi datasets."""

    entries: list[Source]
    allowed_hosts: tuple[str, ...]
    melodi: dict[str, dict] = field(default_factory=dict)
    path: Path | None = None


def _host(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def read_sources(path: Path | None = None) -> Sources:
    """sources.toml: [fournisseur.theme.millesime] tables, `allowed_hosts`, [melodi.X] tables."""
    path = Path(path) if path else paths.SOURCES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FetchError(f"{path} : fichier des sources introuvable") from None
    except tomllib.TOMLDecodeError as exc:
        raise FetchError(f"{path} : TOML invalide ({exc})") from None
    hosts = data.pop("allowed_hosts", None)
    if hosts is None:
        hosts = list(DEFAULT_HOSTS)
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h.strip() for h in hosts):
        raise FetchError(f"{path.name} : « allowed_hosts » doit être une liste de noms d'hôtes")
    allowed = tuple(h.strip().lower() for h in hosts)
    melodi = data.pop("melodi", {})
    if not isinstance(melodi, dict):
        raise FetchError(f"{path.name} : [melodi] doit être une table")
    out = []
    for fournisseur, themes in data.items():
        if not isinstance(themes, dict):
            raise FetchError(f"{path.name} : clé inattendue « {fournisseur} » (tables [fournisseur.theme.millesime] attendues)")
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
                url = str(entry.get("url", "")).strip()
                if url:
                    scheme = urllib.parse.urlsplit(url).scheme
                    if scheme not in ("http", "https"):
                        raise FetchError(f"{where} : adresse http(s) attendue, trouvé {url!r}")
                    if _host(url) not in allowed:
                        raise FetchError(f"{where} : l'hôte {_host(url)} n'est pas dans allowed_hosts "
                                         f"({', '.join(allowed)})")
                out.append(Source(
                    fournisseur=fournisseur, theme=theme, millesime=int(millesime),
                    url=url, fichier=fichier, sha256=sha,
                    titre=str(entry.get("titre", "")), page=str(entry.get("page", "")),
                ))
    return Sources(out, allowed, melodi, path)


def load_sources(path: Path | None = None) -> list[Source]:
    """Every file entry of sources.toml ([fournisseur.theme.millesime] tables)."""
    return read_sources(path).entries


# ---------------------------------------------------------------- lock file

def lock_path(sources_path: Path | None) -> Path:
    """`datasets/sources.toml` -> `datasets/sources.lock.toml` (same folder, same stem)."""
    p = Path(sources_path) if sources_path else paths.SOURCES
    return p.with_name(p.stem + ".lock.toml")


def read_lock(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FetchError(f"{path} : fichier de verrouillage illisible ({exc}) ; corrigez-le ou supprimez-le") from None
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def _toml_str(s: str) -> str:
    return json.dumps(str(s), ensure_ascii=True)  # a JSON string with \\uXXXX escapes is a TOML basic string


def write_lock(path: Path, entries: dict[str, dict]) -> None:
    lines = [
        "# Written by `python -m etl fetch`: the sha256 of each file at its first download.",
        "# A later download with another checksum is refused (`--accept-new` takes it).",
        "# Commit this file with datasets/sources.toml.",
        "",
    ]
    for name in sorted(entries):
        e = entries[name]
        lines.append(f"[{_toml_str(name)}]")
        for key in ("url", "sha256", "octets", "premier_telechargement", "accepte_le"):
            if key in e and e[key] is not None:
                v = e[key]
                lines.append(f"{key} = {v}" if isinstance(v, int) else f"{key} = {_toml_str(v)}")
        lines.append("")
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------- HTTP

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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `open_url`, which checks each hop."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def open_url(url: str, *, allowed_hosts: tuple[str, ...], timeout: float, where: str, page: str = "",
             headers: dict | None = None):
    """The response to GET `url` after checked redirects. Raises FetchError
    (final) or _Retryable (network trouble, 5xx, 429)."""
    seen = [url]
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        request = urllib.request.Request(current, headers={"User-Agent": USER_AGENT, **(headers or {})})
        try:
            return _OPENER.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            code = exc.code
            location = exc.headers.get("Location") if exc.headers else None
            retry_after = _retry_after(exc.headers.get("Retry-After")) if exc.headers else None
            exc.close()
            if code in (301, 302, 303, 307, 308) and location:
                nxt = urllib.parse.urljoin(current, location)
                if urllib.parse.urlsplit(nxt).scheme not in ("http", "https"):
                    raise FetchError(f"{where} : redirection refusée vers {nxt} (ni http ni https)") from None
                if _host(nxt) not in allowed_hosts:
                    raise FetchError(
                        f"{where} : redirection refusée vers l'hôte {_host(nxt)} ({nxt}), absent de allowed_hosts "
                        f"dans datasets/sources.toml ({', '.join(allowed_hosts)}). Vérifiez l'adresse ; si l'Insee "
                        "a vraiment déménagé, ajoutez l'hôte à allowed_hosts.") from None
                if nxt in seen:
                    raise FetchError(f"{where} : boucle de redirections ({' -> '.join(seen + [nxt])})") from None
                seen.append(nxt)
                current = nxt
                continue
            if code in (404, 410):
                raise FetchError(f"{where} : fichier introuvable (HTTP {code}) ; {MOVED_HINT}"
                                 + (f" (voir {page})" if page else "")) from None
            if code == 429:
                raise _Retryable(f"{where} : le serveur limite le nombre de requêtes (HTTP 429)", retry_after) from None
            if code >= 500:
                raise _Retryable(f"{where} : le serveur a répondu HTTP {code} ({exc.reason})", retry_after) from None
            raise FetchError(f"{where} : le serveur a répondu HTTP {code} ({exc.reason})") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise _Retryable(f"{where} : pas de réponse après {timeout:g} s ; {MOVED_HINT}") from None
            raise _Retryable(f"{where} : connexion impossible ({exc.reason})") from None
        except (socket.timeout, TimeoutError):
            raise _Retryable(f"{where} : pas de réponse après {timeout:g} s ; {MOVED_HINT}") from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise _Retryable(f"{where} : connexion interrompue ({type(exc).__name__} : {exc})") from None
    raise FetchError(f"{where} : trop de redirections (plus de {MAX_REDIRECTS} : {' -> '.join(seen)})")


def _set_read_timeout(resp, seconds: float) -> None:
    """Shorten the socket timeout so that one read cannot outlive the file's deadline."""
    sock = getattr(getattr(getattr(resp, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(0.01, seconds))
        except OSError:
            pass


def check_head(fichier: str, head: bytes) -> str | None:
    """Why the first bytes received are not the expected file, or None."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if start.startswith(b"<"):
        return "le serveur a renvoyé une page HTML (page d'erreur ou de portail) au lieu du fichier"
    suffix = Path(fichier).suffix.lower()
    if suffix == ".zip" and not head.startswith(ZIP_MAGIC):
        return "ce n'est pas une archive zip (signature PK\\x03\\x04 absente)"
    if suffix == ".csv":
        line = head.split(b"\n", 1)[0]
        try:
            text = line.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = line.decode("latin-1")
        if ";" not in text:
            return "ce n'est pas un fichier CSV Insee (pas de ligne d'en-tête séparée par « ; »)"
    if suffix in (".xls", ".xlsx") and not (head.startswith(b"\xd0\xcf\x11\xe0") or head.startswith(ZIP_MAGIC)):
        return "ce n'est pas un classeur Excel"
    return None


def check_content(path: Path, fichier: str, head: bytes) -> str | None:
    """Why the whole downloaded file is not the expected file, or None."""
    if not head:
        return "réponse vide"
    why = check_head(fichier, head)
    if why is None and Path(fichier).suffix.lower() == ".zip" and not zipfile.is_zipfile(path):
        why = "archive zip incomplète ou endommagée (répertoire central illisible)"
    return why


def _attempt(source: Source, part: Path, *, allowed_hosts, timeout: float, deadline_at: float, deadline: float,
             max_size: int, progress: TextIO, clock: Callable[[], float]) -> tuple[str, int]:
    """One try: stream the response into `part`; (sha256, bytes)."""
    where = f"{source.theme} {source.millesime} ({source.url})"
    remaining = deadline_at - clock()
    if remaining <= 0:
        raise FetchError(f"{where} : délai total de {deadline:g} s dépassé ; réessayez plus tard")
    resp = open_url(source.url, allowed_hosts=allowed_hosts, timeout=min(timeout, remaining), where=where,
                    page=source.page)
    h = hashlib.sha256()
    done = 0
    head = b""
    try:
        with resp, open(part, "wb") as fh:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > max_size:
                raise FetchError(f"{where} : fichier annoncé de {_size(total)}, au-delà de la limite de "
                                 f"{_size(max_size)} (--max-size)")
            last = -1
            while True:
                remaining = deadline_at - clock()
                if remaining <= 0:
                    raise FetchError(f"{where} : délai total de {deadline:g} s dépassé après {_size(done)} reçus "
                                     "(serveur trop lent) ; réessayez plus tard ou augmentez --deadline")
                _set_read_timeout(resp, min(timeout, remaining))
                chunk = resp.read1(CHUNK)
                if not chunk:
                    break
                if len(head) < 4096:
                    head += chunk[:4096 - len(head)]
                    # refuse an HTML page or a wrong file from its first bytes, not after 1 Go
                    why = check_head(source.fichier, head) if len(head) >= 64 or b"\n" in head else None
                    if why:
                        raise FetchError(f"{where} : {why} ; rien n'a été remplacé")
                fh.write(chunk)
                h.update(chunk)
                done += len(chunk)
                if done > max_size:
                    raise FetchError(f"{where} : plus de {_size(max_size)} reçus, limite dépassée (--max-size)")
                step = done * 100 // total if total else done // (1 << 20)
                if step != last:
                    _progress(progress, source.fichier, done, total)
                    last = step
            if done == 0:
                _progress(progress, source.fichier, done, total)
            progress.write("\n")
            if total is not None and done != total:
                raise _Retryable(f"{where} : téléchargement incomplet ({done} octets reçus sur {total})")
    except (socket.timeout, TimeoutError):
        progress.write("\n")
        raise _Retryable(f"{where} : plus rien reçu pendant {min(timeout, max(remaining, 0)):g} s "
                         f"après {_size(done)} ; {MOVED_HINT}") from None
    except http.client.IncompleteRead as exc:
        progress.write("\n")
        raise _Retryable(f"{where} : transfert coupé avant la fin ({len(exc.partial)} octets du dernier bloc)") from None
    except (ConnectionError, http.client.HTTPException) as exc:
        progress.write("\n")
        raise _Retryable(f"{where} : connexion interrompue ({type(exc).__name__})") from None
    why = check_content(part, source.fichier, head)
    if why:
        raise FetchError(f"{where} : {why} ; rien n'a été remplacé")
    return h.hexdigest(), done


def download(source: Source, dest: Path, *, timeout: float = DEFAULT_TIMEOUT, progress: TextIO | None = None,
             deadline: float = DEFAULT_DEADLINE, retries: int = DEFAULT_RETRIES, max_size: int = DEFAULT_MAX_SIZE,
             allowed_hosts: tuple[str, ...] | None = None, expected_sha256: str | None = None,
             accept_new: bool = False, sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic) -> dict:
    """Download one source into `dest`; return its log entry (progress on stderr).

    `expected_sha256` (from the lock file) or `source.sha256` (pinned in
    sources.toml): a different file is refused unless `accept_new`; the entry
    then says `nouveau: True`."""
    progress = progress or sys.stderr
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / source.fichier
    part = dest / (source.fichier + ".part")
    where = f"{source.theme} {source.millesime} ({source.url})"
    hosts = tuple(allowed_hosts) if allowed_hosts is not None else (_host(source.url),)
    deadline_at = clock() + deadline
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                digest, done = _attempt(source, part, allowed_hosts=hosts, timeout=timeout, deadline_at=deadline_at,
                                        deadline=deadline, max_size=max_size, progress=progress, clock=clock)
                break
            except _Retryable as exc:
                part.unlink(missing_ok=True)
                if attempt > retries:
                    raise FetchError(f"{exc} (abandon après {attempt} tentatives)") from None
                wait = min(BACKOFF * 2 ** (attempt - 1), BACKOFF_MAX)
                if exc.wait is not None:
                    if exc.wait > RETRY_AFTER_MAX:
                        raise FetchError(f"{exc} ; le serveur demande d'attendre {exc.wait:g} s : "
                                         "réessayez plus tard") from None
                    wait = max(wait, exc.wait)
                if clock() + wait >= deadline_at:
                    raise FetchError(f"{exc} ; délai total de {deadline:g} s dépassé avant une nouvelle tentative") from None
                progress.write(f"  {exc} ; nouvelle tentative dans {wait:g} s ({attempt}/{retries})\n")
                progress.flush()
                sleep(wait)
        expected = source.sha256 or expected_sha256
        if expected and digest != expected:
            pinned = "datasets/sources.toml" if source.sha256 else "le fichier de verrouillage (sources.lock.toml)"
            if not accept_new or source.sha256:
                raise FetchError(
                    f"{where} : ATTENTION, le fichier a changé : somme de contrôle différente de celle de {pinned} "
                    f"(attendu {expected}, reçu {digest}) ; fichier refusé, l'ancien est conservé. Si l'Insee a "
                    "republié le fichier, vérifiez-le puis relancez avec --accept-new"
                    + (" après avoir retiré sha256 de datasets/sources.toml" if source.sha256 else "") + ".")
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)  # on any failure, Ctrl-C included
        raise
    return {
        "fournisseur": source.fournisseur, "theme": source.theme, "millesime": source.millesime,
        "url": source.url, "fichier": source.fichier, "sha256": digest, "octets": done,
        "telecharge_le": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nouveau": bool(expected and digest != expected),
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


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("\nInterrompu (Ctrl-C) : téléchargement abandonné, aucun fichier partiel laissé ; "
              "les fichiers déjà présents sont inchangés.", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl fetch",
                                     description="Télécharger les fichiers officiels listés dans datasets/sources.toml")
    parser.add_argument("--theme", action="append", help="thème à télécharger (répétable), ex. logement, filosofi")
    parser.add_argument("--dest", type=Path, default=None, help="dossier de destination (défaut : datasets/raw/)")
    parser.add_argument("--sources", type=Path, default=None, help="fichier des sources (défaut : datasets/sources.toml)")
    parser.add_argument("--lock", type=Path, default=None,
                        help="fichier des sommes de contrôle (défaut : sources.lock.toml à côté des sources)")
    parser.add_argument("--timeout", type=float, default=_env_float("ETL_FETCH_TIMEOUT", DEFAULT_TIMEOUT),
                        help="délai d'attente de chaque lecture, en secondes (défaut : 60)")
    parser.add_argument("--deadline", type=float, default=_env_float("ETL_FETCH_DEADLINE", DEFAULT_DEADLINE),
                        help="délai total par fichier, tentatives comprises, en secondes (défaut : 1800)")
    parser.add_argument("--retries", type=int, default=int(_env_float("ETL_FETCH_RETRIES", DEFAULT_RETRIES)),
                        help="nouvelles tentatives après une coupure, une erreur 5xx ou 429 (défaut : 4)")
    parser.add_argument("--max-size", type=int, default=int(_env_float("ETL_FETCH_MAX_SIZE", DEFAULT_MAX_SIZE)),
                        help="taille maximale d'un fichier, en octets (défaut : 1 Go)")
    parser.add_argument("--force", action="store_true", help="retélécharger les fichiers déjà présents")
    parser.add_argument("--accept-new", action="store_true",
                        help="accepter un fichier dont la somme de contrôle a changé depuis le premier téléchargement")
    parser.add_argument("--melodi", metavar="DATASET", default=None,
                        help="télécharger un jeu de données de l'API Melodi de l'Insee (ex. DS_FILOSOFI_CC)")
    parser.add_argument("--melodi-url", default=None, help=argparse.SUPPRESS)  # tests: a local fake server
    args = parser.parse_args(argv)
    dest = args.dest or paths.raw_dir()
    try:
        cfg = read_sources(args.sources)
        lock_file = args.lock or lock_path(args.sources)
        lock = read_lock(lock_file)
    except FetchError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 2
    if args.melodi:
        from etl import melodi
        return melodi.main_fetch(args, cfg, dest)
    sources = cfg.entries
    if args.theme:
        known = sorted({s.theme for s in sources})
        unknown = [t for t in args.theme if t not in known]
        if unknown:
            print(f"ERREUR : thème inconnu {', '.join(unknown)} (thèmes : {', '.join(known)})", file=sys.stderr)
            return 2
        sources = [s for s in sources if s.theme in args.theme]
    dest.mkdir(parents=True, exist_ok=True)
    entries = read_log(dest)
    ok, failed, skipped, present = [], [], [], []
    for s in sources:
        if not s.url:
            print(f"  ignoré   {s.theme} {s.millesime} : URL non renseignée dans datasets/sources.toml"
                  + (f" (voir {s.page})" if s.page else ""), file=sys.stderr)
            skipped.append(s.fichier)
            continue
        target = dest / s.fichier
        if target.exists() and not args.force:
            print(f"  présent  {s.fichier} (--force pour le retélécharger)", file=sys.stderr)
            present.append(s.fichier)
            expected = s.sha256 or lock.get(s.fichier, {}).get("sha256")
            if expected and hashlib.sha256(target.read_bytes()).hexdigest() != expected:
                print(f"ATTENTION : {target} ne correspond pas à la somme de contrôle enregistrée ({expected}) : "
                      "fichier modifié à la main ou autre version ; --force pour retélécharger la version attendue.",
                      file=sys.stderr)
            continue
        print(f"Téléchargement {s.titre or s.fichier} …", file=sys.stderr)
        known = lock.get(s.fichier, {})
        try:
            entry = download(s, dest, timeout=args.timeout, deadline=args.deadline, retries=max(0, args.retries),
                             max_size=args.max_size, allowed_hosts=cfg.allowed_hosts,
                             expected_sha256=known.get("sha256"), accept_new=args.accept_new)
        except FetchError as exc:
            failed.append(s.fichier)
            print(f"ERREUR : {exc}", file=sys.stderr)
            continue
        ok.append(s.fichier)
        entries[s.fichier] = entry
        _write_log(dest, entries)
        now = entry["telecharge_le"]
        if entry["nouveau"]:
            print(f"ATTENTION : {s.fichier} a changé depuis son premier téléchargement "
                  f"(sha256 {known.get('sha256')} -> {entry['sha256']}) ; nouvelle version acceptée (--accept-new) "
                  f"et enregistrée dans {lock_file.name}.", file=sys.stderr)
            lock[s.fichier] = {**known, "url": s.url, "sha256": entry["sha256"], "octets": entry["octets"],
                               "accepte_le": now}
            write_lock(lock_file, lock)
        elif not known:
            lock[s.fichier] = {"url": s.url, "sha256": entry["sha256"], "octets": entry["octets"],
                               "premier_telechargement": now}
            write_lock(lock_file, lock)
    print(f"Bilan : {len(ok)} téléchargé(s), {len(present)} déjà présent(s), {len(skipped)} sans URL, "
          f"{len(failed)} en échec" + (f" ({', '.join(failed)})" if failed else "") + ".", file=sys.stderr)
    if failed:
        print(f"{len(failed)} téléchargement(s) en échec.", file=sys.stderr)
        return 1
    return 0
