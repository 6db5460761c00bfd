"""Identifier and code systems (DOMAIN.md section 7) and our own canonical URLs, in one place so the
Questionnaire, the resources, the API and the webhooks never drift apart."""

from __future__ import annotations

from typing import Final

FHIR_JSON: Final = "application/fhir+json"

# Norwegian identifiers (HL7Norway/basisprofiler-r4 NamingSystem).
FODSELSNUMMER: Final = "urn:oid:2.16.578.1.12.4.1.4.1"
D_NUMMER: Final = "urn:oid:2.16.578.1.12.4.1.4.2"
FH_NUMMER: Final = "urn:oid:2.16.578.1.12.4.1.4.3"
HPR_NUMMER: Final = "urn:oid:2.16.578.1.12.4.1.4.4"
ORGANISASJONSNUMMER: Final = "urn:oid:2.16.578.1.12.4.1.4.101"
RESH: Final = "urn:oid:2.16.578.1.12.4.1.4.102"

# Profiles.
NO_BASIS_PATIENT: Final = "http://hl7.no/fhir/StructureDefinition/no-basis-Patient"
NO_BASIS_PRACTITIONER: Final = "http://hl7.no/fhir/StructureDefinition/no-basis-Practitioner"
NO_BASIS_ORGANIZATION: Final = "http://hl7.no/fhir/StructureDefinition/no-basis-Organization"
LMDI_MEDICATION: Final = "http://hl7.no/fhir/ig/lmdi/StructureDefinition/lmdi-medication"
LMDI_ATC_EXTENSION: Final = "http://hl7.no/fhir/ig/lmdi/StructureDefinition/legemiddel-classification"

# Codes.
ICD10_NO: Final = "urn:oid:2.16.578.1.12.4.1.1.7110"
"""ICD-10 as Volven publishes it for Norway (kodeverk 7110)."""
ATC: Final = "http://www.whocc.no/atc"
FEST_MERKEVARE: Final = "http://dmp.no/fhir/NamingSystem/festLegemiddelMerkevare"
FEST_PAKNING: Final = "http://dmp.no/fhir/NamingSystem/festLegemiddelPakning"
FEST_VIRKESTOFF: Final = "http://dmp.no/fhir/NamingSystem/festLegemiddelVirkestoff"
FEST_DOSE: Final = "http://dmp.no/fhir/NamingSystem/festLegemiddelDose"
LEGEMIDDELFORM: Final = "urn:oid:2.16.578.1.12.4.1.1.7448"

# Ours: the base of every canonical URL we mint (Questionnaire, CodeSystems, identifier systems).
KANON: Final = "https://soknadsportalen.no/fhir"
QUESTIONNAIRE_SOKNAD: Final = f"{KANON}/Questionnaire/soknad"
"""The application form; `version` is the form definition's `versjon` (as a string)."""
LOPENUMMER: Final = f"{KANON}/NamingSystem/lopenummer"
SOKNAD_ID: Final = f"{KANON}/NamingSystem/soknad-id"
VEDTAK_ID: Final = f"{KANON}/NamingSystem/vedtak-id"
UTFALL: Final = f"{KANON}/CodeSystem/utfall"
"""innvilget / innvilget_med_vilkar / avslatt: our own, PAS's review-action codes are X12 (copyrighted)."""
SOKNAD_TYPE: Final = f"{KANON}/CodeSystem/soknad-type"
KATEGORI: Final = f"{KANON}/CodeSystem/kategori"
HELSEFORETAK: Final = f"{KANON}/NamingSystem/helseforetak"
"""Our short trust code (e.g. «hbe») as an identifier beside the organisation number and RESH."""
