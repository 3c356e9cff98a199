"""Pure builders for the pages: formatting, charts, maps, cards, state, exports.
Never imports `etl`."""
