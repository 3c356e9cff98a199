"""Reference data of the territory, rebuilt from package registries by `python -m etl reference`
(`cli`): communes and EPCI (`sources`, `select`), mergers to the current geography (`merge`),
outlines and label points (`geo`), areas (`areas`), the national table of communes for the
demonstration data (`france`); `data` loads the committed files for the build."""
