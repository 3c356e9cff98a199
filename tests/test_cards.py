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


def test_table_rows_as_cards_for_a_phone_show_every_value():
    from components.cards import html_lignes

    table = pd.DataFrame({"Territoire": ["CA de Béthune-Bruay, Artois-Lys Romane", "France <entière>"],
                          "Population de 15-64 ans (2021)": ["172 261 habitants", "41 519 101 habitants"],
                          "Actifs (2021)": ["120 000 actifs", "30 000 000 actifs"]})
    html = html_lignes(table)
    assert html.count("class='cc-carte'") == 2
    assert "France &lt;entière&gt;" in html  # escaped
    premiere = html[html.index("CA de Béthune-Bruay"):html.index("France &lt;")]
    for texte in ("Population de 15-64 ans (2021)", "172 261 habitants", "Actifs (2021)", "120 000 actifs"):
        assert texte in premiere
    assert html_lignes(table.iloc[0:0]) == ""


def test_a_theme_table_is_a_grid_on_a_wide_screen_and_cards_on_a_phone():
    from streamlit.testing.v1 import AppTest

    def page():
        import pandas as pd
        from components import cards

        cards.afficher_table(pd.DataFrame({"Territoire": ["Lens"], "Logements (2021)": ["17 685 logements"]}), "t1")
        cards.afficher_table(pd.DataFrame({"Territoire": ["Lens"], "Ménages (2021)": ["13 139 ménages"]}))  # key from content
        cards.afficher_table(pd.DataFrame({"Territoire": ["Liévin"], "Ménages (2021)": ["13 000 ménages"]}))

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert not at.dataframe  # plain HTML tables: no data-grid script before the first screen
    html = " ".join(str(h.proto.body) for h in at.get("html"))
    assert "17 685 logements" in html and "st-key-tableau_grille_t1" in html and "max-width: 767px" in html
    assert html.count("<table>") == 3 and html.count("<th scope='row'>") == 3
    assert "<th scope='col'>Logements (2021)</th>" in html and "<td>17 685 logements</td>" in html


def test_html_table_escapes_and_heads_rows():
    import pandas as pd

    out = cards.html_table(pd.DataFrame({"Territoire": ["<b>Lens</b>"], "Part (%)": ["12,3 %"], "Rang": [None]}))
    assert "&lt;b&gt;Lens&lt;/b&gt;" in out and "<b>Lens" not in out
    assert "<th scope='row'>&lt;b&gt;Lens&lt;/b&gt;</th><td>12,3 %</td><td></td>" in out
    assert "tabindex='0'" in out and "aria-label='Tableau : Part (%), Rang'" in out
    assert cards.html_table(pd.DataFrame({"Territoire": []})) == ""
