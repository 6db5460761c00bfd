"""FHIR R4 views of the soknad service's data: the form as a Questionnaire, answers as a
QuestionnaireResponse, and the resources and read-only API built on them."""
