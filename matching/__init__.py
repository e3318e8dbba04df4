"""Retrieval, fusion, features, re-ranking, explanations and evaluation metrics."""
