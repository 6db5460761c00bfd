"""The trust's directory of people and units, a platform component like the broker."""

from shared.platform.katalog.katalog import Enhet, Katalog, Organisasjon, Person

__all__ = ["Enhet", "Katalog", "Organisasjon", "Person"]
