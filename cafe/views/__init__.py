"""Blueprints, one module per face."""
