"""The HTML page every new tab receives (deploy/index_page.py), adapted from Streamlit's own.
The browser side (no probe of a page's path, lang from the first byte) is in
tests/browser/test_app_browser.py."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components import conventions, navigation
from deploy import index_page

PAGES = [p.url for p in navigation.PAGES if not p.defaut]


@pytest.fixture
def streamlit_index() -> str:
    from streamlit import file_util

    return (Path(file_util.get_static_dir()) / "index.html").read_text(encoding="utf-8")


def test_the_installed_streamlit_page_is_adapted(streamlit_index):
    """On the Streamlit of requirements.txt: French from the first byte, the page paths handed to
    the script that tells Streamlit the app's root, that script before Streamlit's module."""
    html = index_page.adapt(streamlit_index, PAGES)
    assert '<html lang="fr">' in html and 'lang="en"' not in html
    assert re.search(r"<title>Chiffres clés</title>", html) and "<title>Streamlit</title>" not in html
    assert index_page.TITLE == conventions.SITE  # the name the app's tab titles end with
    base = html.index("window.__streamlit")
    assert base < html.index('<script type="module"')
    handed = json.loads(re.search(r"\}\)\((\[[^\]]*\]), window\.location\)", html).group(1))
    assert sorted(handed) == sorted(PAGES) and "logement" in handed and "" not in handed
    assert "activez-le" in html and "You need to enable JavaScript" not in html
    # everything else of Streamlit's page is kept: its module, preloads, stylesheet, font
    for tag in re.findall(r'<(?:script type="module"|link rel="(?:modulepreload|stylesheet|preload)")[^>]*>',
                          streamlit_index):
        assert tag in html


def test_a_page_path_cannot_close_the_script():
    html = index_page.adapt('<html lang="en"><title>S</title><script type="module" src="x"></script>'
                            "<noscript>x</noscript>", ["a</script><b>"])
    assert "a<\\/script><b>" in html and "a</script>" not in html


@pytest.mark.parametrize("missing", ['<html lang="en">', "<title>Streamlit</title>", '<script type="module"',
                                     "<noscript>"])
def test_an_unexpected_streamlit_page_is_refused(streamlit_index, missing):
    """A Streamlit upgrade that changes its page must be noticed, not half-adapted."""
    changed = streamlit_index.replace(missing, "<!-- changed -->")
    with pytest.raises(index_page.UnexpectedIndex):
        index_page.adapt(changed, PAGES)


def test_the_overlay_serves_streamlit_files_and_the_adapted_page(tmp_path):
    static = tmp_path / "static"
    (static / "static" / "js").mkdir(parents=True)
    (static / "static" / "js" / "index.abc.js").write_text("// js", encoding="utf-8")
    (static / "favicon.png").write_bytes(b"png")
    (static / "index.html").write_text('<html lang="en"><title>Streamlit</title><script type="module" src="x">'
                                       "</script><noscript>You need</noscript>", encoding="utf-8")
    out = index_page.overlay(static, ["logement"], parent=str(tmp_path))
    assert (out / "static" / "js" / "index.abc.js").read_text(encoding="utf-8") == "// js"
    assert (out / "favicon.png").is_symlink() and (out / "favicon.png").read_bytes() == b"png"
    assert not (out / "index.html").is_symlink() and 'lang="fr"' in (out / "index.html").read_text(encoding="utf-8")
    assert 'lang="en"' in (static / "index.html").read_text(encoding="utf-8")  # Streamlit's own file untouched


def test_install_points_streamlit_at_the_overlay_or_leaves_it(monkeypatch, tmp_path, capsys):
    from streamlit import file_util

    good = tmp_path / "good"
    good.mkdir()
    (good / "index.html").write_text('<html lang="en"><title>S</title><script type="module" src="x"></script>'
                                     "<noscript>x</noscript>", encoding="utf-8")
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(good))
    folder = index_page.install(["logement"])
    assert folder is not None and file_util.get_static_dir() == str(folder)
    assert 'lang="fr"' in (folder / "index.html").read_text(encoding="utf-8")

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "index.html").write_text("<html><body>autre</body></html>", encoding="utf-8")
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(bad))
    assert index_page.install(["logement"]) is None
    assert file_util.get_static_dir() == str(bad)  # Streamlit's page served as it is: the app still works
    assert "servi tel quel" in capsys.readouterr().err
