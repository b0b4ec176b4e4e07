"""Tests of kg.store against a real Bolt database (the embedded one, or NEO4J_URI)."""
