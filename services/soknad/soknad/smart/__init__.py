"""SMART App Launch 2 (EHR launch): the patient record opens `/smart/launch?iss=…&launch=…`, we authorise
against the record's own authorization server, and a draft opens with what the record knows."""
