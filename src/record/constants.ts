// Record size limits. RFC 8446 §5.1, §5.2; RFC 9846 §5.1, §5.2, §5.4.

/** ContentType (1) + legacy_record_version (2) + length (2). */
export const RECORD_HEADER_LENGTH = 5;
/** RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14. */
export const MAX_PLAINTEXT_LENGTH = 2 ** 14;
/** RFC 8446 §5.4: the full TLSInnerPlaintext MUST NOT exceed 2^14 + 1. */
export const MAX_INNER_PLAINTEXT_LENGTH = 2 ** 14 + 1;
/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256. */
export const MAX_CIPHERTEXT_LENGTH = 2 ** 14 + 256;
/** RFC 8446 §5.2: an AEAD used in TLS 1.3 MUST NOT expand by more than 255 octets. */
export const MAX_AEAD_EXPANSION = 255;
/** The largest record that can legally arrive: header + TLSCiphertext. */
export const MAX_RECORD_LENGTH = RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_LENGTH;
/** RFC 8449 §4: the smallest record_size_limit an endpoint may send. */
export const MIN_RECORD_SIZE_LIMIT = 64;
