"""Decisions out to integrators: the integrator exchanges, their messages and their broker users."""
