"""Post-registration (etterregistrering): decisions made before the system existed, imported from a file.

Nothing is imported here: `soknad.store` imports the tables, and the tables import the store's base."""
