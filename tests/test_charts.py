"""Chart builders on tiny DataFrames: figure data, French separators, colours, statut texts."""
import math

import pandas as pd
import pytest

from components import charts, programme_data
from components import format as fmt

NBSP = "\u00a0"
OKABE_ITO = set(fmt.COLORWAY) | {charts.COULEUR_REFERENCE}


def test_barres_comparaison_secret_is_text_not_zero():
    df = pd.DataFrame({"nom": ["Béthune", "CABBALR", "France"],
                       "valeur": [21.5, None, 12.25], "statut": [None, "secret", None]})
    fig = charts.barres_comparaison(df, "%", 1, titre="Taux de pauvreté")
    bar = fig.data[0]
    # the row without a value is not drawn: it is named in the note under the chart
    assert list(bar.y) == ["Béthune", "France"]
    assert list(bar.x) == [21.5, 12.25]
    assert list(bar.text) == [f"21,5{NBSP}%", f"12,2{NBSP}%"]
    assert fig.layout.meta["non_disponible"] == "Non disponible : CABBALR (secret statistique)"
    assert "Non disponible : CABBALR (secret statistique)" in fig.layout.xaxis.title.text
    assert not fig.layout.annotations
    assert list(bar.marker.color) == [charts.COULEUR_SELECTION, charts.COULEUR_REFERENCE]
    assert fig.layout.separators == fmt.PLOTLY_SEPARATORS
    assert fig.layout.title.text == "Taux de pauvreté"


def test_barres_comparaison_non_calculable_median():
    df = pd.DataFrame({"nom": ["PMA", "France"], "valeur": [None, 23160.0],
                       "statut": ["non_calculable", None]})
    fig = charts.barres_comparaison(df, "€ par an", 0)
    # the bar's label is the number (a unit in words made it wider than a phone's plot);
    # the unit is in the hover and the axis title
    assert list(fig.data[0].text) == [f"23{NBSP}160"]
    assert list(fig.data[0].customdata) == [f"23{NBSP}160{NBSP}€ par an"] and fig.layout.xaxis.title.text.startswith("€ par an<br>")
    assert fig.data[0].textposition == "outside" and fig.layout.xaxis.range[1] > 23160  # room for the label
    assert list(fig.data[0].y) == ["France"]
    assert fig.layout.meta["non_disponible"] == "Non disponible : PMA (non calculable)"


def test_serie_temporelle_one_line_per_territory_with_plain_year_ticks():
    df = pd.DataFrame({"nom": ["Béthune"] * 3 + ["AULA"] * 3,
                       "millesime": [2016, 2019, 2023] * 2,
                       "valeur": [25000.0, 25500.0, None, 600000.0, 601000.0, 602500.0],
                       "statut": [None, None, "manquant", None, None, None]})
    fig = charts.serie_temporelle(df, "habitants", 0, selection="Béthune")
    assert [t.name for t in fig.data] == ["Béthune", "AULA"]
    assert list(fig.data[0].y) == [25000.0, 25500.0, None]
    assert list(fig.data[0].text) == [f"25{NBSP}000{NBSP}habitants", f"25{NBSP}500{NBSP}habitants", "non disponible"]
    assert list(fig.layout.xaxis.ticktext) == ["2016", "2019", "2023"]
    assert fig.data[0].line.color == charts.COULEUR_SELECTION
    assert {t.line.color for t in fig.data} <= OKABE_ITO


def test_taux_annuels_compound_rate_and_missing_pair():
    s = pd.DataFrame({"millesime": [2019, 2016, 2020], "valeur": [110.0, 100.0, None],
                      "statut": [None, None, "secret"]})
    t = charts.taux_annuels(s)
    assert list(t["periode"]) == ["2016–2019", "2019–2020"]
    assert t["valeur"][0] == pytest.approx((1.1 ** (1 / 3) - 1) * 100)
    assert math.isnan(t["valeur"][1]) and t["statut"][1] == "secret"
    fig = charts.barres_taux(t)
    assert list(fig.data[0].text) == [f"3,23{NBSP}%", "secret statistique"]
    assert [a.text for a in fig.layout.annotations] == ["secret statistique"]


def test_barres_taux_decline_has_other_colour():
    t = charts.taux_annuels(pd.DataFrame({"millesime": [2019, 2020, 2021], "valeur": [100.0, 99.0, 100.0]}))
    couleurs = list(charts.barres_taux(t).data[0].marker.color)
    assert couleurs == [charts.COULEUR_BAISSE, charts.COULEUR_SELECTION]


def _long():
    return pd.DataFrame({
        "indicateur": ["logements", "maisons", "appartements"] * 2,
        "code": ["62119"] * 3 + ["200072460"] * 3,
        "nom": ["Béthune"] * 3 + ["CABBALR"] * 3,
        "valeur": [1000.0, 600.0, 350.0, None, None, 40.0],
        "statut": [None, None, None, "secret", "secret", None],
    })


def test_parts_shares_remainder_and_statut():
    p = charts.parts(_long(), {"maisons": "Maisons", "appartements": "Appartements"}, "logements", reste="Autres")
    bethune = p[p["code"] == "62119"]
    assert list(bethune["categorie"]) == ["Maisons", "Appartements", "Autres"]
    assert list(bethune["valeur"]) == pytest.approx([60.0, 35.0, 5.0])
    cab = p[p["code"] == "200072460"]
    assert cab["valeur"].isna().all() and set(cab["statut"]) == {"secret"}


def test_parts_empilees_stack_colours_and_statut_annotation():
    p = charts.parts(_long(), {"maisons": "Maisons", "appartements": "Appartements"}, "logements")
    fig = charts.parts_empilees(p, titre="Type de logement")
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["Maisons", "Appartements"]
    assert list(fig.data[0].x) == [60.0]  # CABBALR (secret) has no row
    assert list(fig.data[0].y) == ["Béthune"]
    assert fig.data[0].text[0] == f"60,0{NBSP}%"
    assert fig.data[0].textangle == 0  # horizontal value labels
    assert fig.layout.meta["non_disponible"] == "Non disponible : CABBALR (secret statistique)"
    assert not fig.layout.annotations
    assert [t.marker.color for t in fig.data] == fmt.COLORWAY[:2]


def test_parts_groupees_one_trace_per_territory_with_values():
    long = _long()
    long.loc[3:, ["valeur", "statut"]] = [[2000.0, None], [900.0, None], [1000.0, None]]
    p = charts.parts(long, {"maisons": "Maisons", "appartements": "Appartements"}, "logements")
    fig = charts.parts_groupees(p, selection="CABBALR")
    assert fig.layout.barmode == "group"
    assert [t.name for t in fig.data] == ["Béthune", "CABBALR"]
    assert list(fig.data[0].y) == ["Maisons", "Appartements"]
    assert list(fig.data[1].x) == [45.0, 50.0]
    assert fig.data[1].marker.color == charts.COULEUR_SELECTION
    assert fig.layout.meta is None  # every share present: no note
    assert fig.data[0].marker.color in OKABE_ITO and fig.data[0].marker.color != charts.COULEUR_SELECTION


def test_table_texte_french_values():
    df = pd.DataFrame({"millesime": [2021, 2022], "valeur": [1234.5, None], "statut": [None, "secret"]})
    t = charts.table_texte(df, {"millesime": "Millésime", "valeur": "Valeur"}, "habitants", 1)
    assert t.to_dict("records") == [{"Millésime": "2021", "Valeur": f"1{NBSP}234,5{NBSP}habitants"},
                                    {"Millésime": "2022", "Valeur": "secret statistique"}]


def test_meta_carries_catalogue_facts():
    m = charts.meta("Population", "62119", "Béthune", "population", 2023, "Source : Insee, PL 2023", False,
                    [{"indicateur": "population", "libelle": "Population municipale", "unite": "habitants",
                      "definition": "d"}], alt="texte")
    assert m.millesime == 2023 and m.alt == "texte"
    assert m.indicateurs[0].source == "Insee, PL 2023"


TERRITOIRES = pd.DataFrame([
    {"niveau": "territoire", "code": "AULA", "nom": "Territoire", "nom_court": "AULA", "epci": None, "groupement": None},
    {"niveau": "groupement", "code": "PMA", "nom": "Pôle", "nom_court": "PMA", "epci": None, "groupement": None},
    {"niveau": "epci", "code": "E1", "nom": "CA Un", "nom_court": "Un", "epci": None, "groupement": "PMA"},
    {"niveau": "epci", "code": "E2", "nom": "CC Deux", "nom_court": "Deux", "epci": None, "groupement": None},
    {"niveau": "commune", "code": "62119", "nom": "Béthune", "nom_court": "Béthune", "epci": "E1", "groupement": "PMA"},
    {"niveau": "commune", "code": "62999", "nom": "Autre", "nom_court": "Autre", "epci": "E2", "groupement": None},
])
PROGRAMME = pd.DataFrame([
    {"id": "A1-01", "axe": 1, "axe_libelle": "Stratégies", "section": "1.1", "dossier": "Commun", "jours": 30.0,
     "correspondant": "X", "territoires": "E1|E2", "repartition": None},
    {"id": "A1-02", "axe": 1, "axe_libelle": "Stratégies", "section": "1.2", "dossier": "Pôle", "jours": 10.0,
     "correspondant": "Y", "territoires": "PMA", "repartition": None},
    {"id": "A2-01", "axe": 2, "axe_libelle": "Projets", "section": "2.1", "dossier": "Ville", "jours": 9.0,
     "correspondant": "X", "territoires": "62119|E2", "repartition": "62119:6|E2:3"},
    {"id": "A2-02", "axe": 2, "axe_libelle": "Projets", "section": "2.1", "dossier": "Ailleurs", "jours": 5.0,
     "correspondant": "Z", "territoires": "62999", "repartition": None},
])


def test_jours_par_epci_counts_dossiers_naming_the_epci_or_its_communes():
    e = programme_data.jours_par_epci(PROGRAMME, TERRITOIRES).set_index("code")["jours"].to_dict()
    assert e == {"E1": 30.0 + 9.0, "E2": 30.0 + 9.0 + 5.0}  # PMA-only dossier not spread
    carte = programme_data.carte_epci(TERRITOIRES[TERRITOIRES["niveau"] == "commune"], programme_data.jours_par_epci(PROGRAMME, TERRITOIRES))
    assert carte.set_index("code")["valeur"].to_dict() == {"62119": 39.0, "62999": 44.0}


def test_commune_selection_concerns_its_epci_grouping_and_territory():
    from components import programme_charts as pc

    codes = programme_data.codes_concernes("commune", "62119", TERRITOIRES)
    assert codes == {"62119", "E1", "PMA", "AULA"}
    assert list(pc.concerne(PROGRAMME, codes)) == [True, True, True, False]
    assert programme_data.codes_concernes("territoire", "AULA", TERRITOIRES) is None
    assert programme_data.codes_concernes("epci", "E2", TERRITOIRES) == {"E2", "62999", "AULA"}
    assert programme_data.codes_concernes("groupement", "PMA", TERRITOIRES) == {"PMA", "E1", "62119", "AULA"}


def test_programme_tables_in_french():
    concernes = pd.Series([True, False, True, False])
    t = programme_data.table_programme(PROGRAMME, concernes, {"E1": "Un", "E2": "Deux", "62119": "Béthune"})
    assert list(t["Territoires"]) == ["Un, Deux", "PMA", "Béthune, Deux", "62999"]
    assert list(t["Concerne la sélection"]) == ["oui", "non", "oui", "non"]
    assert programme_data.table_jours(["X"], [1856.0], "Correspondant").to_dict("records") == [
        {"Correspondant": "X", "Jours": f"1{NBSP}856,0{NBSP}jours"}]


def test_taux_periode_uses_common_vintages():
    a = pd.DataFrame({"millesime": [2016, 2019, 2023], "valeur": [100.0, 110.0, 121.0]})
    b = pd.DataFrame({"millesime": [2019, 2023], "valeur": [50.0, 50.0]})
    t = charts.taux_periode({"A": a, "B": b})
    assert list(t["debut"]) == [2019, 2019] and list(t["fin"]) == [2023, 2023]
    assert t["valeur"][0] == pytest.approx((1.1 ** 0.25 - 1) * 100) and t["valeur"][1] == 0


def test_tableau_valeurs_wide_text():
    df = pd.DataFrame({"indicateur": ["menages", "menages"], "nom": ["Béthune", "France"], "millesime": [2021, 2021],
                       "valeur": [12000.0, None], "statut": [None, "hors_source"]})
    cat = pd.DataFrame([{"indicateur": "menages", "libelle": "Ménages", "unite": "ménages", "decimales": 0}])
    t = charts.tableau_valeurs(df, cat)
    assert t.to_dict("records") == [
        {"Territoire": "Béthune", "Ménages (2021)": f"12{NBSP}000{NBSP}ménages"},
        {"Territoire": "France", "Ménages (2021)": "non disponible pour ce niveau"}]


def test_phone_width_labels_wrap_and_long_units_stay_in_hover():
    df = pd.DataFrame({"nom": ["CA de Béthune-Bruay, Artois-Lys Romane", "Pas-de-Calais"],
                       "valeur": [31.94, None], "statut": [None, "hors_source"]})
    fig = charts.barres_comparaison(df, "emplois pour 100 actifs occupés", 1)
    bar = fig.data[0]
    assert bar.y[0] == "CA de Béthune-Bruay,<br>Artois-Lys Romane"
    assert bar.text[0] == "31,9" and bar.customdata[0] == f"31,9{NBSP}emplois pour 100 actifs occupés"
    assert list(bar.y) == ["CA de Béthune-Bruay,<br>Artois-Lys Romane"]  # no empty Pas-de-Calais row
    assert fig.layout.meta["non_disponible"] == "Non disponible : Pas-de-Calais (non disponible pour ce niveau)"


def test_parts_groupees_says_which_territories_have_no_shares():
    p = charts.parts(_long(), {"maisons": "Maisons", "appartements": "Appartements"}, "logements")
    fig = charts.parts_groupees(p, selection="Béthune")
    assert [t.name for t in fig.data] == ["Béthune"]
    assert fig.layout.meta["non_disponible"] == "Non disponible : CABBALR (secret statistique)"
    assert "CABBALR (secret statistique)" in fig.layout.xaxis.title.text


def test_legende_html_lists_every_class():
    html = charts.legende_html([("1 – 5 jours", (68, 1, 84)), ("5 – 9 jours", (253, 231, 37))], "Jours")
    assert html.count("background:rgb") == 2 and "rgb(68, 1, 84)" in html and "5 – 9 jours" in html


def test_barres_comparaison_negative_growth_keeps_room_for_labels():
    df = pd.DataFrame({"nom": ["A", "B"], "valeur": [-0.5, 1.0], "statut": [None, None]})
    fig = charts.barres_comparaison(df, "%", 2)
    assert fig.data[0].textposition == "outside"
    lo, hi = fig.layout.xaxis.range
    assert lo < -0.5 and hi > 1.0


def _every_builder_figure():
    """One figure of each builder, with notes, annotations and legends in play."""
    secret = pd.DataFrame({"nom": ["Béthune", "CABBALR", "France"], "valeur": [21.5, None, -2.0],
                           "statut": [None, "secret", None]})
    serie = pd.DataFrame({"nom": ["Béthune"] * 2 + ["AULA"] * 2, "millesime": [2016, 2022] * 2,
                          "valeur": [1.0, None, 3.0, 4.0], "statut": [None, "secret", None, None]})
    taux = charts.taux_annuels(pd.DataFrame({"millesime": [2016, 2019, 2022], "valeur": [100.0, None, 90.0],
                                             "statut": [None, "secret", None]}))
    long = _long()
    long.loc[5, "valeur"] = 20.0
    p = charts.parts(long, {"maisons": "Maisons", "appartements": "Appartements"}, "logements", reste="Autres")
    return [charts.barres_comparaison(secret, "%", 1, "Titre"), charts.serie_temporelle(serie, "habitants"),
            charts.barres_taux(taux, "Taux"), charts.parts_empilees(p, "Parts"),
            charts.parts_groupees(p, "Parts", "Béthune")]


def test_every_builder_spec_passes_plotly_validation():
    """The builders skip plotly's validation for speed: the specs they write must be valid."""
    import plotly.graph_objects as go
    for fig in _every_builder_figure():
        valide = go.Figure(fig.to_dict())  # raises on any unknown or badly typed property
        assert valide.to_plotly_json()["layout"]["title"]["text"] == fig.layout.title.text
        assert len(valide.data) == len(fig.data)


def test_axes_settings_stay_on_their_axis():
    """The shared French layout gives both axes the same settings; a builder's setting of one
    axis must not leak to the other (the specs are plain dicts merged by hand)."""
    df = pd.DataFrame({"nom": ["A", "B"], "valeur": [1.0, 2.0], "statut": [None, None]})
    fig = charts.barres_comparaison(df, "habitants", 0)
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.xaxis.autorange is None
    assert fig.layout.xaxis.title.text == "habitants" and fig.layout.yaxis.title.text == ""
    assert fig.layout.xaxis.separatethousands and fig.layout.yaxis.separatethousands
    serie = charts.serie_temporelle(pd.DataFrame({"nom": ["A", "A"], "millesime": [2016, 2022],
                                                  "valeur": [1.0, 2.0]}), "habitants")
    assert list(serie.layout.xaxis.tickvals) == [2016, 2022] and serie.layout.yaxis.tickvals is None


def test_titles_wrap_for_a_phone_and_the_margin_makes_room():
    titre = "Taux de croissance annuel moyen entre millésimes : population municipale"
    t = charts.taux_annuels(pd.DataFrame({"millesime": [2016, 2019, 2022], "valeur": [100.0, 103.0, 104.0]}))
    fig = charts.barres_taux(t, titre)
    lignes = fig.layout.title.text.split("<br>")
    assert len(lignes) >= 2 and all(len(l) <= charts.TITRE_LARGEUR for l in lignes)
    assert fig.layout.margin.t >= 50 + 19 * (len(lignes) - 1)
    assert fig.layout.xaxis.tickangle == 0 and list(fig.layout.xaxis.ticktext) == ["2016–<br>2019", "2019–<br>2022"]
