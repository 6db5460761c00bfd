"""Common library of Søknadsportalen: the spine every service is built on."""
