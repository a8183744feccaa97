"""An app module that fails on import, for gwsgi's end-to-end tests."""

raise RuntimeError("e2e: broken at import")
