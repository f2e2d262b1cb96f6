"""The ledger tests use the suite's fixtures (tests/conftest.py)."""
