// Parses an AsyncAPI document (the path given) with the official @asyncapi/parser, which applies the
// specification's JSON Schema and its Spectral rules; prints every diagnostic as JSON lines
// {severity, code, path, message}. Exit code 0 whatever it finds: tests/unit/test_asyncapi_parser.py decides.
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const SEVERITY = ['error', 'warning', 'info', 'hint'];
const { document, diagnostics } = await new Parser().parse(readFileSync(process.argv[2], 'utf8'));
const out = diagnostics.map((d) => ({
  severity: SEVERITY[d.severity] ?? String(d.severity),
  code: String(d.code),
  path: d.path,
  message: d.message,
}));
if (!document) out.push({ severity: 'error', code: 'no-document', path: [], message: 'the parser returned no document' });
console.log(JSON.stringify(out));
