"""Rebuild the partner CSVs and the reconciliation notes from the text of the
AULA 2018 activity report.

    python -m etl.partners.extract_programme [REPORT_TXT] [--out DIR]

Deterministic: the same text gives byte-identical files.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from etl import paths
from etl.partners import manual_2018 as manual
from etl.partners.reader import AGENCE_COLUMNS, PROGRAMME_COLUMNS
from etl.partners.report_text import (
    Block,
    locate,
    norm,
    normalised_body,
    read_blocks,
    read_toc_bullets,
)

DEFAULT_REPORT = paths.ROOT.parent / "shared" / "seeds" / "000_11d23a0d63dd44c0.txt"
SOURCE = "AULA, Rapport d’activité 2018"
#: totals stated by the report
STATED = {"axe_1": 1856, "axe_2": 802, "axe_3": 624, "etudes": 3282, "administration": 1133,
          "informatique": 215, "total": 4630}


class ExtractionError(Exception):
    pass


def _fr(x: float) -> str:
    """French display of a number: `1 856`, `37,5`."""
    text = f"{x:,.1f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",")


def _plain(x: float) -> str:
    """Machine-readable number without a useless `.0` (`33`, `37.5`)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _line_of(lines: list[str], pattern: str) -> int:
    """1-based line of the first match of a regex (for traceability)."""
    rx = re.compile(pattern)
    for i, t in enumerate(lines):
        if rx.search(t):
            return i + 1
    raise ExtractionError(f"texte introuvable dans le rapport : {pattern!r}")


def _synthese_lines(lines: list[str]) -> list[int]:
    found = [i for i, t in enumerate(lines) if t.strip().startswith("SYNTHÈSE")]
    if len(found) != 3:
        raise ExtractionError(f"{len(found)} pages SYNTHÈSE trouvées, 3 attendues")
    return found


def _axis_parts(lines: list[str], blocks: list[Block]):
    """Per axis: its blocks, TOC bullets (placed in the body), synthèse index."""
    synth = _synthese_lines(lines)
    parts = []
    for axe in (1, 2, 3):
        start = next(i for i, t in enumerate(lines) if re.match(rf"^\s*{axe}\.\d\s", t))
        axe_blocks = [b for b in blocks if start < b.line - 1 < synth[axe - 1]]
        bullets = read_toc_bullets(lines, axe, axe_blocks[0].line - 1)
        toc_end = max(b.line for b in bullets)
        body, where = normalised_body(lines, toc_end, synth[axe - 1])
        for b in bullets:
            b.body_line = locate(body, where, b.titre)
            if b.body_line is None:
                raise ExtractionError(f"axe {axe} : titre introuvable dans le corps du texte : {b.titre}")
        bullets.sort(key=lambda b: b.body_line)
        end = next((i for i, t in enumerate(lines) if re.match(rf"^\s*{axe + 1}\.\d\s", t)), len(lines))
        parts.append((axe, axe_blocks, bullets, synth[axe - 1], end))
    return parts


def _repartition(block: Block) -> str:
    codes = []
    for label, jours in block.split:
        if label not in manual.SPLIT_CODES:
            raise ExtractionError(f"ligne {block.line} : partenaire de répartition inconnu {label!r}")
        codes.append(f"{manual.SPLIT_CODES[label]}:{_fr(jours).replace(' ', '')}")
    return "|".join(codes)


def extract(lines: list[str]) -> tuple[pd.DataFrame, dict]:
    """The programme table and the facts the notes need."""
    blocks = read_blocks(lines)
    parts = _axis_parts(lines, blocks)
    rows, facts = [], {"blocs": len(blocks), "par_axe": {}}
    table = iter(manual.DOSSIERS)
    for axe, axe_blocks, bullets, synth_line, end in parts:
        if len(axe_blocks) != len(bullets):
            raise ExtractionError(
                f"axe {axe} : {len(axe_blocks)} blocs TEMPS CONSACRÉ pour {len(bullets)} titres au sommaire"
            )
        synth_text, _ = normalised_body(lines, synth_line, end)
        in_synth = [synth_text.count(norm(b.titre)[:30]) for b in bullets]
        facts["par_axe"][axe] = {"blocs": len(axe_blocks), "sommaire": len(bullets),
                                 "synthese_trouves": sum(1 for n in in_synth if n),
                                 "synthese_doublons": sum(1 for n in in_synth if n > 1),
                                 "synthese_absents": [b.titre for b, n in zip(bullets, in_synth) if not n]}
        for n, (block, bullet) in enumerate(zip(axe_blocks, bullets), start=1):
            m_axe, m_jours, section, theme, territoires, remarque = next(table)
            if m_axe != axe or m_jours != block.jours:
                raise ExtractionError(
                    f"ligne {block.line} : la table manuelle attend {m_jours} jours (axe {m_axe}), "
                    f"le texte donne {block.jours} (axe {axe})"
                )
            rows.append({
                "id": f"A{axe}-{n:02d}",
                "axe": axe,
                "axe_libelle": manual.AXES[axe],
                "section": section,
                "theme": theme,
                "dossier": bullet.titre,
                "jours": block.jours,
                "correspondant": block.correspondant,
                "effectif": block.effectif,
                "toute_agence": "oui" if block.toute_agence else "non",
                "territoires": territoires,
                "repartition": _repartition(block),
                "page_ou_ligne": f"ligne {block.line} (titre ligne {bullet.body_line})",
                "remarque": remarque,
            })
    if next(table, None) is not None:
        raise ExtractionError("la table manuelle a plus de dossiers que le texte")
    df = pd.DataFrame(rows, columns=PROGRAMME_COLUMNS)
    df["effectif"] = df["effectif"].astype("Int64")
    return df, facts


def agence(lines: list[str]) -> pd.DataFrame:
    """Agency facts stated by the report, each with the line it comes from."""
    def src(pattern: str) -> str:
        return f"{SOURCE}, ligne {_line_of(lines, pattern)}"

    rows = [
        ("budget", "subventions_fonctionnement", "Subventions de fonctionnement", 2443590, "€", 2017, src(r"contre 2 443 590")),
        ("budget", "subventions_fonctionnement", "Subventions de fonctionnement", 2809534, "€", 2018, src(r"atteindre 2 809 534")),
        ("budget", "hausse_subventions", "Hausse des subventions par rapport à 2017", 365.9, "k€", 2018, src(r"augmenté de 365,9")),
        ("personnel", "effectif", "Équipe de l’Agence", 27, "personnes", 2018, src(r"équipe de 27 personnes")),
        ("personnel", "arrivees", "Nouveaux collaborateurs", 6, "personnes", 2018, src(r"tandis que 6 nouveaux")),
        ("personnel", "departs", "Collaborateurs ayant quitté la structure", 3, "personnes", 2018, src(r"Trois collaborateurs ont quitté")),
        ("personnel", "formation_heures", "Heures de formation suivies", 42.5, "heures", 2018, src(r"42 heures et 30 minutes")),
        ("activite", "jours_axe_1", "Jours consacrés à l’axe 1", STATED["axe_1"], "jours", 2018, src(r"1 856 jours pour l’axe 1")),
        ("activite", "jours_axe_2", "Jours consacrés à l’axe 2", STATED["axe_2"], "jours", 2018, src(r"802 jours pour l’axe 2")),
        ("activite", "jours_axe_3", "Jours consacrés à l’axe 3", STATED["axe_3"], "jours", 2018, src(r"624 jours pour l’axe 3")),
        ("activite", "jours_etudes", "Jours d’études et projets", STATED["etudes"], "jours", 2018, src(r"ont mobilisé 3 282 jours")),
        ("activite", "jours_administration", "Jours d’administration générale", STATED["administration"], "jours", 2018, src(r"1 133 jours d’activités")),
        ("activite", "jours_informatique", "Jours d’informatique", STATED["informatique"], "jours", 2018, src(r"215 jours d’activités")),
        ("activite", "jours_total", "Activité totale de l’Agence", STATED["total"], "jours", 2018, src(r"répartit sur 4")),
        ("activite", "mutualise_axe_1", "Part des jours de l’axe 1 consacrés à des travaux mutualisés (plus de)", 95, "%", 2018, src(r"plus de 95% des jours")),
        ("activite", "mutualise_axe_3", "Part des jours de l’axe 3 consacrés à des travaux mutualisés", 100, "%", 2018, src(r"avec l’intégralité des travaux mutualisés")),
        ("territoire", "communes", "Communes du territoire d’intervention", 323, "communes", 2018, src(r"répartis sur 323 communes")),
        ("territoire", "habitants", "Habitants du territoire d’intervention (plus de)", 700000, "habitants", 2018, src(r"d’intervention à plus de 700 000")),
    ]
    return pd.DataFrame(rows, columns=AGENCE_COLUMNS)


def _statement(lines: list[str], pattern: str) -> str:
    return f"ligne {_line_of(lines, pattern)}"


def notes(df: pd.DataFrame, facts: dict, lines: list[str]) -> str:
    """French reconciliation of the table with the totals the report states."""
    by_axe = df.groupby("axe")["jours"].sum()
    etudes = float(df["jours"].sum())
    total = etudes + STATED["administration"] + STATED["informatique"]
    scot = df[df["id"].isin(["A1-07", "A1-08", "A1-09", "A1-10"])]["jours"].sum()
    ing = df[(df["theme"] == "Ingénierie de projets") & (df["id"] != "A2-09")]["jours"].sum()
    pnc = df.loc[df["id"] == "A3-15", "jours"].iloc[0]

    def ok(a: float, b: float) -> str:
        if abs(a - b) < 1e-9:
            return "concorde"
        return f"**écart de {_fr(abs(a - b))} jours {'en plus' if a > b else 'en moins'}**"

    out = [
        "# Programme de travail 2018 : rapprochement avec les totaux du rapport",
        "",
        "Source : AULA, *Rapport d’activité 2018* (texte extrait du PDF). Le tableau "
        "`programme_2018.csv` compte une ligne par bloc « TEMPS CONSACRÉ » du rapport. "
        "Les chiffres ci-dessous sont recalculés par `python -m etl.partners.extract_programme` ; "
        "aucun nombre n’a été ajusté pour retrouver les totaux publiés.",
        "",
        "## Dossiers",
        "",
        f"- {facts['blocs']} blocs « TEMPS CONSACRÉ » trouvés, {len(df)} dossiers dans le tableau "
        f"(axe 1 : {facts['par_axe'][1]['blocs']}, axe 2 : {facts['par_axe'][2]['blocs']}, "
        f"axe 3 : {facts['par_axe'][3]['blocs']}).",
        "- Chaque bloc correspond à un titre du sommaire de son axe (25, 21 et 15 titres).",
    ]
    for axe in (1, 2, 3):
        f = facts["par_axe"][axe]
        line = (f"- Liste de la page SYNTHÈSE de l’axe {axe} : {f['synthese_trouves']} titres "
                f"sur {f['sommaire']} retrouvés")
        if f["synthese_doublons"]:
            line += (f" ({f['synthese_doublons']} y apparaissent plus d’une fois : texte de la synthèse "
                     "ou liste imprimée en double)")
        if f["synthese_absents"]:
            line += " ; non retrouvés à l’identique : " + " ; ".join(f"« {t} »" for t in f["synthese_absents"])
        out.append(line + ".")
    out += [
        "",
        "## Jours par axe",
        "",
        "| | somme des dossiers | total publié | |",
        "|---|---:|---:|---|",
    ]
    for axe in (1, 2, 3):
        stated = STATED[f"axe_{axe}"]
        out.append(f"| Axe {axe} | {_fr(by_axe[axe])} | {_fr(stated)} | {ok(by_axe[axe], stated)} |")
    out += [
        f"| Études et projets | {_fr(etudes)} | {_fr(STATED['etudes'])} | {ok(etudes, STATED['etudes'])} |",
        f"| + administration ({_fr(STATED['administration'])}) et informatique ({_fr(STATED['informatique'])}) "
        f"| {_fr(total)} | {_fr(STATED['total'])} | {ok(total, STATED['total'])} |",
        "",
        f"Les totaux publiés sont cohérents entre eux (1 856 + 802 + 624 = 3 282 ; 3 282 + 1 133 + 215 = 4 630). "
        f"L’écart porte entièrement sur l’axe 3 : la somme de ses {facts['par_axe'][3]['blocs']} blocs "
        f"dépasse de {_fr(by_axe[3] - STATED['axe_3'])} jours le total de 624 jours annoncé "
        f"({_statement(lines, r'624 jours pour l’axe 3')}) et repris dans la SYNTHÈSE "
        f"({_statement(lines, r'Sur les 624 jours')}). Le rapport ne permet pas de dire quel dossier "
        "est en cause ; le tableau garde les jours imprimés dans chaque bloc.",
        "",
        "## Chiffres cités dans les pages SYNTHÈSE",
        "",
        f"- Axe 1, révision des SCoT « pour un total de 833 jours » ({_statement(lines, r'total de 833 jours')}) : "
        f"les quatre dossiers SCoT (coordination, contribution technique, SCoT de l’Artois, SCoT de Lens-Liévin "
        f"Hénin-Carvin) font {_fr(scot)} jours ; {ok(scot, 833)}. Avec l’analyse économique de la CAHC "
        f"(22 jours) on obtient {_fr(scot + 22)} jours.",
        "- Axe 1 : pré-diagnostics OPAH 157 jours, stratégie habitat NPNRU/QPV 139 jours, feuille de route "
        "énergétique du PMA 90 jours : concordent avec les blocs.",
        f"- Axe 2 : 7 Vallées Comm (166 jours) et « cœur de ville » (94 jours) concordent. « Assistance conseil "
        f"auprès des communes … 104 jours » : les dossiers d’ingénierie de projets hors analyse Sallaumines / "
        f"Courrières font {_fr(ing)} jours ({ok(ing, 104)}) ; le rapport ne dit pas quels dossiers il regroupe.",
        f"- Axe 3 : « Des Chiffres Clefs » 143,5 jours et observatoire de l’eau 104 jours concordent ; la "
        f"Plateforme Numérique Collaborative « un peu plus de 90 jours » contre {_fr(pnc)} jours dans son bloc.",
        "- Axe 3 : le graphique de la SYNTHÈSE imprime 15 pourcentages (somme 99,3 %) que l’extraction ne "
        "rattache pas aux dossiers ; ils ne sont pas repris.",
        "- Répartitions par partenaire : 71 + 86 = 157 (OPAH, PMA / PETR) et 79 + 15 = 94 (« cœur de ville », "
        "CABBALR / CALL) concordent avec les totaux des blocs.",
        "",
        "## Méthode et corrections manuelles",
        "",
        "- Jours, correspondant, nombre de collaborateurs et répartitions sont lus dans chaque bloc. "
        "« Ensemble de l’Agence » donne `toute_agence = oui` et un effectif vide.",
        "- L’extraction du PDF imprime souvent le titre d’un dossier après son bloc, parfois deux blocs de suite "
        "avant leurs deux titres. Les titres viennent du sommaire de chaque axe ; chacun est retrouvé dans le "
        "corps du texte et les titres, triés par position, sont appariés aux blocs dans l’ordre.",
        "- Une table manuelle (`etl/partners/manual_2018.py`) donne pour chaque dossier la section, le thème "
        "(le sommaire de l’axe 1 est imprimé dans le désordre) et les territoires concernés, lus dans le titre "
        "et le texte. Elle contient aussi les jours attendus : l’extraction échoue si l’appariement change.",
        "- Territoires : codes SIREN des EPCI, `PMA`, `PETR`, `AULA` (tout le territoire ou aucun territoire "
        "précisé), codes INSEE des communes citées (géographie 2026 : Marconne est rattachée à Hesdin-la-Forêt, "
        "62447). Les dossiers de l’axe 3 sont tous mutualisés selon le rapport ; seuls ceux dont le titre "
        "nomme un territoire portent un code plus précis.",
        "",
    ]
    return "\n".join(out)


def write(report: Path, out_dir: Path) -> None:
    lines = report.read_text(encoding="utf-8").split("\n")
    df, facts = extract(lines)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = notes(df, facts, lines)
    df = df.assign(jours=df["jours"].map(_plain))
    df.to_csv(out_dir / "programme_2018.csv", sep=";", index=False, encoding="utf-8", lineterminator="\n")
    ag = agence(lines)
    ag = ag.assign(valeur=ag["valeur"].map(_plain))
    ag.to_csv(out_dir / "agence_2018.csv", sep=";", index=False, encoding="utf-8", lineterminator="\n")
    (out_dir / "programme_2018_notes.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reconstruit les CSV partenaires depuis le rapport 2018.")
    parser.add_argument("report", nargs="?", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--out", type=Path, default=paths.partners_dir())
    args = parser.parse_args(argv)
    try:
        write(args.report, args.out)
    except (ExtractionError, FileNotFoundError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(f"Écrit dans {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
