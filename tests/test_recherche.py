"""Territory search (server side, rapidfuzz): typos, accents, postal codes, acronyms, levels;
and the orientation texts read from the warehouse and the territory file."""
import pandas as pd

from components import orientation, recherche
from datasets import access


def codes(texte, niveaux=recherche.SELECTABLE, limit=8):
    return [r.code for r in recherche.chercher(texte, niveaux, limit)]


def test_typos_and_missing_accents_find_the_commune_first():
    assert codes("lense")[0] == "62498"  # Lens
    assert codes("bethnue")[0] == "62119"  # Béthune, letters swapped
    assert codes("lievn")[0] == access.territoires("commune").query("nom == 'Liévin'")["code"].iloc[0]
    assert codes("HENIN")[0] == access.territoires("commune").query("nom == 'Hénin-Beaumont'")["code"].iloc[0]


def test_bethune_suggests_the_commune_and_its_agglomeration():
    found = codes("bethune")
    assert found[:2] == ["62119", "200072460"]


def test_postal_codes_and_insee_codes():
    assert "62119" in codes("62400")  # Béthune's postal code
    assert codes("62400")[0] == "62119"  # the largest commune of the postal code first
    assert codes("62498") == ["62498"] or codes("62498")[0] == "62498"


def test_acronyms_and_names_of_epci_and_groupings():
    assert codes("CABBALR") == ["200072460"]
    assert codes("call")[0] == "246200364"
    assert codes("cahc")[0] == "246200299"
    assert codes("pma")[0] == "PMA"
    assert codes("petr")[0] == "PETR"
    assert codes("ternois")[0] == "200069672"


def test_levels_are_filtered():
    assert codes("somme") == []  # a département is not a selectable territory
    assert codes("somme", recherche.TOUS)[0] == access.territoires("departement").query("nom == 'Somme'")["code"].iloc[0]
    assert codes("france", recherche.TOUS)[0] == "FR"


def test_nothing_for_noise_and_the_text_is_never_interpreted():
    for texte in ["", "   ", "%", "' OR 1=1 --", "<script>alert(1)</script>", "zzzzzz", None, 42]:
        assert codes(texte) == []
    assert len(codes("e", limit=8)) <= 8


def test_labels_start_with_the_name():
    r = recherche.chercher("lens")[0]
    assert r.libelle.startswith("Lens — 62300")
    r = recherche.chercher("CALL")[0]
    assert r.libelle.startswith("CA de Lens - Liévin") and "(CALL)" in r.libelle


def test_glossary_comes_from_the_territory_file_and_spells_out_first_use():
    g = orientation.glossaire()
    for sigle in ("AULA", "EPCI", "CABBALR", "CALL", "CAHC", "PMA", "PETR"):
        assert g.get(sigle), sigle
    deja = set()
    texte = orientation.developper_texte("Le PMA et la CALL, puis la CALL", deja)
    assert texte.count("Communauté d'agglomération de Lens-Liévin") == 1 and "PMA (Pôle Métropolitain" in texte


def test_intro_gives_the_territory_in_figures_from_the_warehouse():
    texte = orientation.intro_accueil()
    assert f"**{len(access.communes())} communes**" in texte
    assert f"**{len(access.territoires('epci'))} intercommunalités**" in texte
    assert "habitants" in texte and "Agence d'Urbanisme de l'Artois" in texte


def test_a_departement_outside_the_main_one_is_explained():
    communes = pd.DataFrame({"nom": ["A", "B", "C"], "departement": ["62", "62", "80"]})
    assert orientation.departements_hors(communes) == [("80", ["C"])]
    note = orientation.note_departements()
    assert "Somme" in note and "Pas-de-Calais" in note


def test_demo_scope():
    df = pd.DataFrame({"libelle": ["P", "D", "X", "Y", "Z", "W", "V"], "demo": [False, False, True, True, True, True, True]})
    assert orientation.portee_demo(df) == "pour toutes les valeurs sauf P et D"
    assert orientation.portee_demo(df.iloc[:3]) == "pour X"
    assert orientation.portee_demo(df.iloc[:2]) is False
