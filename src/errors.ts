// Alerts and the typed errors that carry them. RFC 8446 §6, RFC 9846 §6.

/** AlertDescription code points (RFC 8446 §6, RFC 9846 §6 adds general_error). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  general_error: 117,
  no_application_protocol: 120,
} as const;

export type AlertName = keyof typeof AlertDescription;
/** A description is an open set: an unknown value from a peer is still a number. */
export type AlertCode = number;

const alertNames = new Map<number, AlertName>(
  (Object.entries(AlertDescription) as [AlertName, number][]).map(([n, v]) => [v, n]),
);

export function alertName(code: AlertCode): string {
  return alertNames.get(code) ?? `unknown_alert(${code})`;
}

/** RFC 8446 §6: AlertLevel. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/**
 * A failure that maps to one TLS alert. Every error the engine raises from peer
 * input is a TlsError (or a subclass); `alert` is what goes (or went) on the wire.
 */
export class TlsError extends Error {
  readonly alert: AlertCode;
  constructor(alert: AlertCode, message: string, options?: { cause?: unknown }) {
    super(`${alertName(alert)}: ${message}`, options);
    this.name = 'TlsError';
    this.alert = alert;
  }
  get alertName(): string {
    return alertName(this.alert);
  }
}

/** The peer sent us a fatal alert (or an unexpected warning-level one). */
export class PeerAlertError extends TlsError {
  constructor(alert: AlertCode, message = 'received alert from peer') {
    super(alert, message);
    this.name = 'PeerAlertError';
  }
}

/** A certificate check failed; `check` names it (e.g. 'signature', 'validity', 'hostname', 'issuer'). */
export class CertificateError extends TlsError {
  readonly check: string;
  constructor(alert: AlertCode, check: string, message: string, options?: { cause?: unknown }) {
    super(alert, `certificate ${check}: ${message}`, options);
    this.name = 'CertificateError';
    this.check = check;
  }
}

/** The connection was used wrongly by the application (not a peer fault; no alert is sent). */
export class TlsUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsUsageError';
  }
}

/**
 * The one way to raise an alert from a check (RFC 8446 §6.2): `throw tlsError('decode_error', '…')`.
 * The connection's single fatal path sends it; certificate checks use CertificateError.
 */
export function tlsError(alert: AlertName, message: string, cause?: unknown): TlsError {
  return new TlsError(AlertDescription[alert], message, cause === undefined ? undefined : { cause });
}

/** The same for a certificate check: `throw certificateError('bad_certificate', 'signature', '…')`. */
export function certificateError(alert: AlertName, check: string, message: string, cause?: unknown): CertificateError {
  return new CertificateError(AlertDescription[alert], check, message, cause === undefined ? undefined : { cause });
}

/**
 * A CertificateError for input beyond a work bound (too many certificates, candidate issuers,
 * signature checks or name-constraint comparisons): the verifier stops at once, without trying
 * other paths.
 */
export class CertificateBoundError extends CertificateError {}

// Errors that are not alerts: transports, key and DER input from the application.

/** The transport ended without the peer's close_notify (RFC 8446 §6.1): data may be truncated. */
export class TruncationError extends Error {
  readonly code = 'ERR_TLS_TRUNCATED';
  constructor(message = 'connection closed by peer without close_notify') {
    super(message);
    this.name = 'TruncationError';
  }
}

/**
 * A transport timeout (TlsStreamOptions handshakeTimeoutMs / idleTimeoutMs): the stream sent
 * close_notify (RFC 8446 §6.1) and closed the channel.
 */
export class TlsTimeoutError extends Error {
  readonly code = 'ERR_TLS_TIMEOUT';
  constructor(
    readonly phase: 'handshake' | 'idle',
    readonly timeoutMs: number,
  ) {
    super(phase === 'handshake' ? `handshake not complete after ${timeoutMs} ms` : `no traffic for ${timeoutMs} ms`);
    this.name = 'TlsTimeoutError';
  }
}

/** A private key file that cannot be used (malformed, encrypted, or of an unsupported type). */
export class KeyFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyFormatError';
  }
}

/** A DER or structure error (x509/asn1.ts). Callers turn it into the error type of their layer. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}
