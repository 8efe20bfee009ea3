// The negative catalogue (issue 7): every MUST-reject of RFC 8446 / RFC 9846 we drive through
// the in-memory pair with a scripted misbehaving peer, in both roles. Each case names the
// section, the side that must detect it and the alert; see test/negative/catalogue/harness.ts.
// CATALOGUE_TABLE=path writes the catalogue as a Markdown table.

import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCase, type Case } from './catalogue/harness.js';
import { clientHelloCases } from './catalogue/client-hello.js';
import { serverFlightCases, serverHelloCases } from './catalogue/server-flight.js';
import { recordCases } from './catalogue/records.js';
import { clientFlightCases, postHandshakeCases, pskCases } from './catalogue/post-handshake.js';
import { conformanceRecordCases } from './catalogue/conformance-record.js';

const sections: [string, Case[]][] = [
  ['server facing a misbehaving client: ClientHello', clientHelloCases],
  ['client facing a misbehaving server: ServerHello and HelloRetryRequest', serverHelloCases],
  ['client facing a misbehaving server: the encrypted flight', serverFlightCases],
  ['the record layer, both roles', recordCases],
  ['server facing a misbehaving client: its second flight and client authentication', clientFlightCases],
  ['after the handshake, both roles', postHandshakeCases],
  ['PSKs and 0-RTT', pskCases],
  ['conformance: the record layer, both roles', conformanceRecordCases],
];

for (const [name, cases] of sections) {
  describe(name, () => {
    for (const c of cases) {
      const outcome = c.alert === 'accept' ? 'accepted' : `${c.detector} sends ${c.alert}`;
      it(`${c.title} → ${outcome} [${c.rfc}]`, () => runCase(c));
    }
  });
}

describe('the catalogue', () => {
  const all = sections.flatMap(([, cs]) => cs);
  it('has at least 80 cases, each with a section, in both roles', () => {
    expect(all.length).toBeGreaterThanOrEqual(80);
    expect(all.every((c) => /RFC \d+ §/.test(c.rfc))).toBe(true);
    expect(new Set(all.map((c) => c.detector))).toEqual(new Set(['client', 'server']));
    expect(new Set(all.map((c) => c.title)).size).toBe(all.length);
  });
  const out = process.env.CATALOGUE_TABLE;
  if (out) {
    it('writes the table', () => {
      const rows = sections.flatMap(([s, cs]) => cs.map((c) => `| ${s} | ${c.title} | ${c.rfc} | ${c.detector} | ${c.alert} |`));
      writeFileSync(out, ['| group | case | section | detector | alert |', '|---|---|---|---|---|', ...rows].join('\n') + '\n');
    });
  }
});
