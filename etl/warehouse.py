"""Atomic publication of a warehouse.

`datasets/warehouse` is a symbolic link to one complete build in
`datasets/.warehouse-builds/`. A build is written into a temporary folder next
to it, checked, renamed, and only then is the link replaced (one atomic
`rename`). A failed build removes its temporary folder and leaves the link, and
so the previous warehouse, untouched. Readers that resolved the link keep their
build until they reopen, so a rebuild never serves a half-written file.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

KEEP_BUILDS = 3


def builds_dir(target: Path) -> Path:
    return target.parent / f".{target.name}-builds"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def publish(target: Path, write: Callable[[Path], None], check: Callable[[Path], object]) -> Path:
    target = Path(target)
    builds = builds_dir(target)
    builds.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=builds))
    try:
        write(tmp)
        check(tmp)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        final = builds / stamp
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    link_tmp = target.parent / f".{target.name}.link-{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(os.path.relpath(final, target.parent), link_tmp)
    if target.exists() and not target.is_symlink():
        # a plain folder from an older layout: keep it among the builds
        os.rename(target, builds / f"legacy-{stamp}")
    os.replace(link_tmp, target)
    _prune(builds, keep={final.name})
    return final


def _prune(builds: Path, keep: set[str]) -> None:
    done = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("tmp-")), key=lambda p: p.name)
    for old in done[:-KEEP_BUILDS]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    # temporary folders of builds that crashed long ago
    for stale in builds.glob("tmp-*"):
        if stale.stat().st_mtime < datetime.now().timestamp() - 3600:
            shutil.rmtree(stale, ignore_errors=True)
