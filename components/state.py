"""The selection (territory, indicator, vintage) kept in the URL as codes.

The URL is the source of truth so that a shared link reproduces the view; the
session keeps a copy because Streamlit's page navigation drops query parameters.
Query parameters are validated against known codes and never interpreted."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from components import context as context_module, premier_ecran
from components.context import Context
from datasets import access, niveaux

SELECTABLE = niveaux.SELECTIONNABLES
_CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")
_SESSION = "_selection_{}"


@dataclass(frozen=True)
class Selection:
    niveau: str
    code: str
    nom: str


def _valid_code(code) -> dict | None:
    """The territory row for a selectable code, or None for anything else."""
    if not isinstance(code, str) or not _CODE.match(code):
        return None
    row = access.territoire(code)
    if not row or row.get("niveau") not in SELECTABLE:
        return None
    return row


def territoire_par_defaut() -> Selection:
    row = access.territoires(niveaux.ENSEMBLE).iloc[0]
    return Selection(niveaux.ENSEMBLE, str(row["code"]), str(row["nom"]))


def _selection(row: dict) -> Selection:
    return Selection(str(row["niveau"]), str(row["code"]), str(row["nom"]))


def _ensure_entrypoint() -> None:
    """Hand over to app.py when Streamlit ran a page on its own.

    Because a `pages/` folder sits next to app.py, a fresh server process starts
    in Streamlit's old multipage mode: if its first visitor opens `/commune`,
    Streamlit runs pages/commune.py without app.py (no sidebar, no territory
    picker) until some session calls st.navigation. Switching that mode off and
    rerunning lets app.py run and route to the same page."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_RUN = threading.local()  # (this run's marker, its context): Streamlit runs a session's script in one thread


def context() -> Context:
    """The context of this rerun: built once (from the URL, the session and the warehouse)
    the first time it is asked for, then the same object for the page and every component."""
    run = get_script_run_ctx()
    marker = run.cursors if run is not None else None  # a new dict at each run (ScriptRunContext.reset)
    held = getattr(_RUN, "held", None)
    if held is not None and marker is not None and held[0] is marker:
        return held[1]
    selection = _select()
    ctx = context_module.build(selection.code)
    _RUN.held = (marker, ctx)
    return ctx


def current() -> Context:
    """The selected territory (the rerun's context, which reads like a Selection)."""
    return context()


def _avertir(texte: str) -> None:
    """A warning about the address. The address is corrected at once, so the next run would
    not show it again: the session's first run then sends the whole page, tools included,
    instead of asking for a next run (components/premier_ecran.py)."""
    st.warning(texte)
    premier_ecran.complet()


def _select() -> Selection:
    """The selected territory: URL first, then the session, then the whole territory."""
    _ensure_entrypoint()
    values = st.query_params.get_all("territoire")
    selection = None
    for value in values[:5]:
        row = _valid_code(value)
        if row:
            selection = _selection(row)
            break
    if selection is None and values:
        _avertir("Le territoire demandé dans l'adresse n'est pas reconnu : affichage du territoire entier.")
        selection = territoire_par_defaut()
    if selection is None:
        row = _valid_code(st.session_state.get(_SESSION.format("territoire")))
        selection = _selection(row) if row else territoire_par_defaut()
    _remember("territoire", selection.code)
    return selection


def commune_choisie(event) -> str | None:
    """The finest-level territory picked on a map (a deck selection event), if it is one."""
    from components import maps

    code = maps.selected_code(event)
    row = _valid_code(code)
    return code if row and row["niveau"] == niveaux.PLUS_FIN else None


def set_territoire(code: str) -> bool:
    """Select a territory (by code) for this page and the next ones; False (nothing changed)
    for a code that is no selectable territory."""
    if not _valid_code(code):
        return False
    _remember("territoire", code)
    _RUN.held = None  # the selection changed: the next context() of this run reads it
    return True


def param(name: str, allowed, default):
    """A validated query parameter (e.g. indicateur, millesime), else the default.

    `allowed` is the list of accepted values; values are compared as strings and the
    matching allowed value (with its own type) is returned."""
    allowed = list(allowed)
    by_text = {str(a): a for a in allowed}
    values = st.query_params.get_all(name)
    chosen = next((by_text[v] for v in values[:5] if isinstance(v, str) and v in by_text), None)
    if chosen is None and values:
        _avertir(f"Le paramètre « {name} » de l'adresse n'est pas reconnu : valeur par défaut utilisée.")
    implicit = False
    if chosen is None:
        remembered = st.session_state.get(_SESSION.format(name))
        chosen = by_text.get(str(remembered), default) if remembered is not None else default
        implicit = not values and (remembered is None or str(remembered) not in by_text)
    if chosen is not None and not implicit:
        # a default the visitor never chose stays out of the URL (and the session): each
        # value written adds a browser history entry, so Back had to be pressed several times
        _remember(name, str(chosen))
    return chosen


def params(name: str, allowed, default: list, maximum: int = 10, allow_empty: bool = False) -> list:
    """A validated multi-valued query parameter (?comparer=62119&comparer=62498).

    With `allow_empty`, a choice emptied by the visitor stays empty (no return of the default)."""
    by_text = {str(a): a for a in allowed}
    values = st.query_params.get_all(name)
    chosen = list(dict.fromkeys(by_text[v] for v in values[:50] if isinstance(v, str) and v in by_text))[:maximum]
    if values and len(chosen) < min(len(set(values)), maximum):
        _avertir(f"Certaines valeurs du paramètre « {name} » de l'adresse ne sont pas reconnues : elles sont ignorées.")
    if not chosen and not values:
        remembered = st.session_state.get(_SESSION.format(name))
        chosen = [by_text[v] for v in remembered if v in by_text] if isinstance(remembered, list) else []
        if allow_empty and remembered == []:
            return []
    if not chosen:
        chosen = [d for d in default if str(d) in by_text][:maximum]
    set_params(name, chosen)
    return chosen


def set_params(name: str, values) -> None:
    """Record a multiple choice in the URL (one key repeated) and the session."""
    texts = [str(v) for v in values]
    st.session_state[_SESSION.format(name)] = texts
    if not texts:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get_all(name) != texts:
        st.query_params[name] = texts


def set_param(name: str, value) -> None:
    """Record a choice (indicator, vintage...) in the URL and the session."""
    _remember(name, str(value))


def forget(name: str) -> None:
    """Drop a parameter that no longer applies (e.g. a vintage of another indicator)."""
    st.session_state.pop(_SESSION.format(name), None)
    if name in st.query_params:
        del st.query_params[name]


def query_params(selection: Selection | Context | str | None = None, **extra) -> dict[str, str]:
    """The query parameters that reproduce the view, for links and page switches."""
    code = selection if isinstance(selection, str) else (selection or context()).code
    params = {"territoire": code}
    params.update({k: str(v) for k, v in extra.items() if v is not None})
    return params


def _remember(name: str, value: str) -> None:
    st.session_state[_SESSION.format(name)] = value
    if st.query_params.get_all(name) != [value]:
        st.query_params[name] = value

