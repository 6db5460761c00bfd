"""The national registries the forms look up: FEST (drugs) and ICD-10 (diagnoses), imported and stored."""
