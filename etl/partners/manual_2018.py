"""Manual table for the 2018 report: what the PDF text cannot give reliably.

Titles, days, correspondants, staff counts and per-partner splits are parsed
from the text (`report_text.py`). This table adds, for each dossier in body
order within its axis, the section and theme (the axis 1 table of contents is
printed out of order) and the partner territories (read from the title and the
paragraph). `jours` is a guard: the extraction fails if the parsed block does
not carry that number, so a change of pairing cannot pass silently.

Territory codes: EPCI SIREN, groupings `PMA`/`PETR`, `AULA` for the whole
territory, INSEE commune codes (checked against @etalab/decoupage-administratif
6.0.0, geography 2026).
"""
from __future__ import annotations

CABBALR, CALL, CAHC, TERNOIS, SEPT_VALLEES = "200072460", "246200364", "246200299", "200069672", "200044030"
PMA3 = f"{CABBALR}|{CALL}|{CAHC}"

AXES = {
    1: "Accompagnement à la définition de stratégies territoriales transversales",
    2: "Appui aux démarches et aux projets structurants",
    3: "Animation et connaissance territoriale",
}

S11 = "1.1 Projets de territoire"
S12 = "1.2 Politiques publiques sectorielles"
S13 = "1.3 Planification territoriale"
S14 = "1.4 Interterritorialité et partenariats"
S15 = "1.5 Évolutions sociétales et territoires « intelligents »"
S21 = "2.1 Mobilités"
S22 = "2.2 Projets urbains et pré-opérationnels"
S23 = "2.3 Environnement et cadre de vie"
S24 = "2.4 Qualité de vie et santé"
S25 = "2.5 Économie / tourisme / numérique"
S27 = "2.7 Gestion des transitions et des mutations"
S31 = "3.1 Observatoires"
S32 = "3.2 Publications"
S33 = "3.3 Animation territoriale et mise en débat"
S34 = "3.4 Accès à la donnée"
S3P = "3.3 Plateforme numérique collaborative"

DOCS = "Les documents d’urbanisme à l’échelle supracommunale"
PART = "Développement des partenariats"
ING = "Ingénierie de projets"

# (axe, jours guard, section, theme, territoires, remarque) in body order per axis
DOSSIERS: list[tuple[int, float, str, str, str, str]] = [
    (1, 33, S11, "Organisation territoriale", PMA3, "Le titre cite aussi le SMTAG (syndicat de transport, sans code territorial)."),
    (1, 90, S12, "La transition énergétique sur le territoire du PMA", "PMA", ""),
    (1, 139, S12, "Habitat et renouvellement urbain", PMA3, ""),
    (1, 9, S12, "Habitat et renouvellement urbain", CABBALR, ""),
    (1, 157, S12, "Enjeux habitat ancien", "PMA|PETR", ""),
    (1, 37.5, S12, "Analyse sociale", CABBALR, ""),
    (1, 50.5, S13, DOCS, PMA3, "SCoT de l’Artois (CABBALR) et SCoT de Lens-Liévin Hénin-Carvin (CALL, CAHC)."),
    (1, 31.5, S13, DOCS, PMA3, "SCoT de l’Artois (CABBALR) et SCoT de Lens-Liévin Hénin-Carvin (CALL, CAHC)."),
    (1, 384.5, S13, DOCS, CABBALR, "SCoT de l’Artois."),
    (1, 345, S13, DOCS, f"{CALL}|{CAHC}", "SCoT de Lens-Liévin Hénin-Carvin."),
    (1, 22, S13, DOCS, CAHC, ""),
    (1, 87, S13, DOCS, PMA3, "Périmètre du Syndicat Mixte des Transports Artois-Gohelle, approché par les trois agglomérations."),
    (1, 9, S13, DOCS, CABBALR, ""),
    (1, 26, S13, DOCS, f"{CABBALR}|PETR|{SEPT_VALLEES}", ""),
    (1, 36, S13, DOCS, "PETR", ""),
    (1, 69, S13, DOCS, "AULA", "Partenariat avec l’Agence de l’Eau Artois-Picardie."),
    (1, 15, S14, "Le SRADDET", "AULA", "Commande de la Région (réseau Urba 8)."),
    (1, 26, S14, "Le SRADDET", "PMA|PETR", ""),
    (1, 46, S14, "Le réseau régional des 8 agences d’urbanisme", "AULA", "Commande de la Région (réseau Urba 8)."),
    (1, 5.5, S14, "Le réseau régional des 8 agences d’urbanisme", "62498|62510|62528", "Quartier prioritaire intercommunal de Lens, Liévin et Loos-en-Gohelle."),
    (1, 108.5, S14, PART, "AULA", ""),
    (1, 18, S14, PART, "AULA", ""),
    (1, 89, S14, PART, "AULA", ""),
    (1, 8, S14, PART, "AULA", ""),
    (1, 14, S15, "Anticipation", "AULA", ""),
    (2, 70, S21, "Accessibilité tous modes", CABBALR, ""),
    (2, 26, S21, "Accessibilité tous modes", "PMA", ""),
    (2, 32.5, S22, ING, "62498", "Lens."),
    (2, 24, S22, ING, "62321", "Évin-Malmaison."),
    (2, 7, S22, ING, "62023", "Allouagne."),
    (2, 9, S22, ING, "62801", "Souchez."),
    (2, 25, S22, ING, "62188", "Burbure."),
    (2, 6.5, S22, ING, "62138", "Blangy-sur-Ternoise."),
    (2, 8, S22, ING, "62771|62250", "Sallaumines et Courrières."),
    (2, 30.5, S22, "Démarche contrat d’axe", CABBALR, ""),
    (2, 6, S22, "Démarche contrat d’axe", CALL, ""),
    (2, 33, S23, "Renaturation de friches industrielles", f"{CALL}|62033|62311|62413|62573|62666", "CALL et les communes d’Annay, Estevelles, Harnes, Meurchin et Pont-à-Vendin (texte du dossier)."),
    (2, 9.5, S23, "Renaturation de friches industrielles", f"{SEPT_VALLEES}|62447", "Marconne (62549) est commune déléguée de Hesdin-la-Forêt (62447) depuis 2025."),
    (2, 56.5, S24, "Modes de vie", CABBALR, ""),
    (2, 77, S24, "Santé", CABBALR, ""),
    (2, 62, S25, "Identification des potentiels économiques", "PMA", ""),
    (2, 14, S25, "Identification des potentiels économiques", CABBALR, ""),
    (2, 166, S25, "Identification des potentiels économiques", SEPT_VALLEES, ""),
    (2, 94, S25, "Économie", f"{CABBALR}|{CALL}|62119|62178|62498|62510", "Béthune, Bruay-la-Buissière, Lens et Liévin."),
    (2, 33, S25, "Économie", CALL, ""),
    (2, 12.5, S27, "La Troisième Révolution Industrielle (TRI)", CALL, "Le sommaire ne comporte pas de section 2.6."),
    (3, 33, S31, "Foncier / habitat", "AULA", "Aucun territoire précisé dans le titre."),
    (3, 22.5, S31, "Foncier / habitat", "AULA", ""),
    (3, 19.5, S31, "Foncier / habitat", "AULA", "Aucun territoire précisé dans le titre."),
    (3, 38, S31, "Politique de la ville", PMA3, ""),
    (3, 48.5, S31, "Politique de la ville", CALL, ""),
    (3, 21, S31, "Économie / commerce / numérique", "PMA", ""),
    (3, 28.5, S31, "Économie / commerce / numérique", "PMA", ""),
    (3, 104, S31, "Environnement", "AULA", ""),
    (3, 33, S32, "Atlas", SEPT_VALLEES, ""),
    (3, 143.5, S32, "Tableaux de bord", "PMA|PETR", ""),
    (3, 14.5, S33, "Animation territoriale et mise en débat", "PMA", ""),
    (3, 59, S33, "Animation territoriale et mise en débat", "AULA", ""),
    (3, 20.5, S34, "Accès à la donnée", "AULA", ""),
    (3, 5.5, S34, "Accès à la donnée", "AULA", ""),
    (3, 86.5, S3P, "Plateforme numérique collaborative", "AULA", "Le sommaire numérote aussi cette rubrique 3.3."),
]

#: the per-partner split labels printed in the report -> territory codes
SPLIT_CODES = {"PMA": "PMA", "PETR": "PETR", "CABBALR": CABBALR, "CALL": CALL, "CAHC": CAHC}
