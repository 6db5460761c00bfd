"""FHIR R4: the canonical addresses, identifier systems and code systems every exported resource uses."""
