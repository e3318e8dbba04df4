"""Deterministic bilingual demo data (see ``api.demo.dataset``)."""
