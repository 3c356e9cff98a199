"""Key-figure cards: the text a reader sees for values, evolutions and reference levels."""
import pandas as pd

from components import cards

NB = "\u00a0"
ROW = {"indicateur": "part_hlm", "libelle": "Part des locataires HLM", "unite": "%", "decimales": 1, "millesime": 2021,
       "valeur": 23.44, "statut": None, "demo": True, "source_id": "logement_2021", "millesime_precedent": 2015,
       "valeur_precedente": 20.0}
REFS = pd.DataFrame([
    {"indicateur": "part_hlm", "nom": "CABBALR", "millesime": 2021, "valeur": 13.5, "statut": None},
    {"indicateur": "part_hlm", "nom": "Pas-de-Calais", "millesime": 2021, "valeur": None, "statut": "hors_source"},
    {"indicateur": "part_hlm", "nom": "France", "millesime": 2021, "valeur": None, "statut": "hors_source"},
    {"indicateur": "autre", "nom": "France", "millesime": 2021, "valeur": 1.0, "statut": None},
])


def test_card_value_evolution_and_references():
    c = cards.tuile(ROW, REFS)
    assert c.valeur == f"23,4{NB}%"
    assert (c.delta, c.depuis) == (f"+3,4{NB}points", "depuis 2015")
    assert c.references == (f"CABBALR : 13,5{NB}%", "Non disponible pour ce niveau : Pas-de-Calais, France")
    assert c.demo and c.source_id == "logement_2021"


def test_close_vintages_are_flagged_and_missing_comparisons_said():
    proche = cards.tuile({**ROW, "millesime_precedent": 2019})
    assert "à interpréter avec prudence" in proche.evolution
    seul = cards.tuile({**ROW, "millesime_precedent": None, "valeur_precedente": None})
    assert seul.delta == "" and seul.evolution == "Évolution : un seul millésime disponible"
    secret = cards.tuile({**ROW, "valeur": None, "statut": "secret"})
    assert secret.valeur == "secret statistique" and secret.evolution == "Évolution depuis 2015 : non calculable"


def test_long_units_leave_the_value_short():
    c = cards.tuile({**ROW, "unite": "emplois pour 100 actifs occupés", "valeur": 85.94, "valeur_precedente": 87.0})
    assert c.valeur == "85,9" and c.unite_libelle == "emplois pour 100 actifs occupés"
    assert cards.tuile({**ROW, "unite": "habitants", "decimales": 0, "valeur": 25224}).valeur == f"25{NB}224{NB}habitants"



def test_stacked_cards_show_value_references_and_rank_one_under_the_other():
    from components.cards import html_empilees

    table = pd.DataFrame({"Indicateur": ["Population <municipale>"], "Unité": ["habitants"], "Lens": ["32 920 habitants"],
                          "CA de Lens - Liévin": ["242 013 habitants"], "France": ["68 000 000 habitants"],
                          "Millésime": [2023], "Rang": ["1 / 319"]})
    html = html_empilees(table, "Lens", ["CA de Lens - Liévin", "France"])
    assert html.count("class='cc-carte'") == 1
    assert "Population &lt;municipale&gt;" in html  # escaped
    assert html.index("32 920 habitants") < html.index("242 013 habitants") < html.index("68 000 000") < html.index("1 / 319")
    assert "(2023)" in html and "Rang parmi les communes" in html
