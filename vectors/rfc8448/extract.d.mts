// Types for extract.mjs (plain JS so that node runs it without a build step).

/** Output file (without .json) for each section of RFC 8448. */
export declare const SECTIONS: Readonly<Record<2 | 3 | 4 | 5 | 6 | 7, string>>;
/** The RFC's lines without page breaks (form feed, running header, footer). */
export declare function contentLines(text: string): string[];
/** Extracts every section of RFC 8448 as `{ [file name]: data }`. */
export declare function extractRfc8448(text: string): Record<string, unknown>;
/** The JSON text written for one file. */
export declare function serialize(value: unknown): string;
/** Where the RFC text is found (RFC8448_TXT, shared/ beside the repository, /work/shared), if anywhere. */
export declare function defaultRfcPath(): string | undefined;
