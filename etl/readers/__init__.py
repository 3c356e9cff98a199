"""One reader per INSEE file family. See `etl/readers/common.py` for the
contract every reader fulfils."""
