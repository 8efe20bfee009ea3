// Conformance of the record layer (issue 11 items 3, 4, 8): repeated change_cipher_spec
// (RFC 8446 Appendix D.4, RFC 9846 §5) and record_size_limit (RFC 8449 §4), both roles.

import { ContentType } from '../../../src/wire/codepoints.js';
import { concatBytes } from '../../../src/util/bytes.js';
import { record } from '../../helpers/scripted.js';
import { pair, type Case } from './harness.js';

const CCS = record(ContentType.change_cipher_spec, Uint8Array.of(1));

export const conformanceRecordCases: Case[] = [
  {
    title: 'one change_cipher_spec after the ClientHello, in the same segment (client → server)',
    rfc: 'RFC 9846 §5 (RFC 8446 Appendix D.4)',
    detector: 'server',
    alert: 'accept',
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : concatBytes(b, CCS)) }),
  },
  {
    title: 'a second change_cipher_spec after the ClientHello, in the same segment (client → server)',
    rfc: 'RFC 8446 Appendix D.4, RFC 9846 §5',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => pair({ toServer: (b, n) => (n > 0 ? b : concatBytes(b, CCS, CCS)) }),
  },
  {
    title: 'a second change_cipher_spec before the client Finished (client → server)',
    rfc: 'RFC 8446 Appendix D.4, RFC 9846 §5',
    detector: 'server',
    alert: 'unexpected_message',
    run: () => pair({ toServer: (b, n) => (n === 0 ? concatBytes(b, CCS) : n === 1 ? concatBytes(CCS, b) : b) }),
  },
  {
    title: 'two change_cipher_spec before the ServerHello (server → client)',
    rfc: 'RFC 8446 Appendix D.4, RFC 9846 §5',
    detector: 'client',
    alert: 'unexpected_message',
    plaintext: true,
    run: () => pair({ toClient: (b, n) => (n > 0 ? b : concatBytes(CCS, CCS, b)) }),
  },
  {
    title: 'a second change_cipher_spec in the server flight, middlebox-compatibility mode (server → client)',
    rfc: 'RFC 8446 Appendix D.4, RFC 9846 §5',
    detector: 'client',
    alert: 'unexpected_message',
    // The server sends one CCS after its ServerHello (a compatibility-mode client); one more before it.
    run: () => pair({ client: { middleboxCompat: true }, toClient: (b, n) => (n > 0 ? b : concatBytes(CCS, b)) }),
  },
];
