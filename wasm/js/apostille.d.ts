// Types for apostille.mjs. The report's shape is docs/report.schema.json.

/** The module ABI this loader speaks (docs/abi.md). */
export const ABI_VERSION: 2;

export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView | string;

export type Verdict = "valid" | "invalid" | "indeterminate";
export type Status = "passed" | "failed" | "indeterminate" | "skipped";

export interface Check {
  check: string;
  status: Status;
  reason?: string;
  detail?: string;
  /**
   * On a revocation check: the document's entry in a status list, as it names it. When the
   * check says status_unknown, fetch the list at uri and verify again with it (statusLists).
   */
  status_list?: { uri: string; index: number };
}

export interface Report {
  report: "v1";
  verdict: Verdict;
  /** The reason code that decided a verdict other than valid (docs/reasons.md). */
  reason?: string;
  warnings: { reason: string; detail?: string }[];
  checks: Check[];
  document?: {
    format: string;
    type?: string;
    issuer?: { id?: string; name?: string; country?: string; kid?: string };
    signed_at?: string;
    valid_from?: string;
    valid_until?: string;
    subject?: {
      name?: string;
      given_name?: string;
      family_name?: string;
      birth_date?: string;
      document_number?: string;
      portrait?: string;
    };
    claims?: Record<string, unknown>;
    technical?: { alg?: string; headers?: Record<string, unknown>; certificates?: { subject: string; issuer: string; serial: string; not_before: string; not_after: string }[] };
  };
  /** A DigiDoc container (ASiC-E, BDOC 2.1, ASiC-S): its data files and each XAdES signature. */
  container?: Container;
  attestations?: { embassy: string; country?: string; cosigned_at: string; origin: string; index: number; tree_size: number }[];
  trust?: { operator?: string; operator_key?: string; sequence?: number; issued_at?: string; next_update?: string; age_seconds?: number; signed: boolean; stale_accepted_unsafe?: boolean };
  verified_at: string;
}

export interface Container {
  media_type: string;
  data_files: { name: string; media_type: string; size: number; sha256: string }[];
  signatures: ContainerSignature[];
}

export interface ContainerSignature {
  /** The ds:Signature Id. */
  id?: string;
  /** The signature file, META-INF/signatures0.xml. */
  file: string;
  verdict: Verdict;
  reason?: string;
  /** ETSI EN 319 102-1, as DSS and SiVa report it. */
  indication: "TOTAL-PASSED" | "TOTAL-FAILED" | "INDETERMINATE";
  sub_indication?: string;
  level: "B-B" | "B-T" | "B-LT" | "B-LTA" | "BDOC-TM" | "BDOC-TS";
  signer?: { name: string; personal_code?: string; country?: string; certificate: { subject: string; issuer: string; serial: string; not_before: string; not_after: string } };
  /** The trusted signing time: the time stamp's genTime, or the time mark's producedAt. */
  signing_time?: string;
  /** xades:SigningTime, as the signer claims it. */
  claimed_signing_time?: string;
  qualified?: "qes" | "adesqc" | "ades";
  timestamp_authority?: string;
  ocsp_responder?: string;
  ocsp_produced_at?: string;
  /** The data files this signature covers. */
  files: string[];
  warnings: { reason: string; detail?: string }[];
}

export interface VerifyOptions {
  /** The verification time. Required for any verdict but indeterminate (time_missing): the module has no clock it trusts. */
  at?: Date | string;
  /** Expected format ("jws", "cose", "dcc", "mdoc", "sd-jwt", "asic", "attested"); detected when absent. */
  format?: string;
  /** Detached content of a JWS or COSE_Sign1. */
  payload?: Bytes;
  /** A detached c2sp.org/tlog-proof@v1 for the document. */
  proof?: Bytes;
  /** Input size limit in bytes, for every format (default: 64 MiB for a ZIP container, 1 MiB for anything else). */
  maxSize?: number;
  /** Tolerance for exp, nbf and iat in seconds (default 60; 0 for none). */
  clockSkewSeconds?: number;
  /** COSE external additional authenticated data. */
  externalAAD?: Bytes;
  /** What the caller expects of a presentation's holder binding. */
  holder?: {
    /** Must equal the SD-JWT KB-JWT aud. */
    audience?: string;
    /** Must equal the SD-JWT KB-JWT nonce. */
    nonce?: string;
    /** A presentation without key binding fails. */
    requireBinding?: boolean;
    /** The CBOR SessionTranscript (or its tag-24 form) for mdoc device authentication; without it that is skipped. */
    sessionTranscript?: Bytes;
    /** The reader's ephemeral private key of the session (the raw EC private scalar), to check an mdoc whose device authenticates with a MAC (ISO/IEC 18013-5 9.1.3.5). */
    readerKey?: Bytes;
  };
  /** Status list tokens the host fetched. */
  statusLists?: Bytes[];
  /** Accept a trust bundle past its next_update; the report says so. */
  acceptStaleTrustUnsafe?: boolean;
}

export interface TrustSource {
  /** Labels issuers the source does not name (usually the file name). */
  name: string;
  /** A trust bundle, a JWK Set, a JWK, or PEM/DER certificates. */
  data: Bytes;
}

/** A public JWK (with kid and alg) of a trust-list operator, as bytes, text or an object. */
export type OperatorKey = Bytes | { kty: string; kid: string; alg: string; [member: string]: unknown };

export interface LoadOptions {
  /** Pinned trust-list operator keys: signed trust bundles in trust must verify with one (docs/trust-signing.md). Pinned before trust is added. */
  operatorKeys?: OperatorKey[];
  trust?: TrustSource[];
  /** Receives what the Go runtime inside writes to stderr (fatal errors only). */
  stderr?: (text: string) => void;
}

/** The module exited or trapped; the Verifier that raised it is unusable. */
export class ModuleError extends Error {
  code?: number;
}

/** The module refused a trust source or an operator key. */
export class TrustError extends Error {
  /** The reason code a refused signed bundle starts with ("trust_invalid"); absent for other refusals. */
  reason?: string;
}

/** One module instance with its trust. One call at a time. */
export class Verifier {
  constructor(module: WebAssembly.Module, options?: LoadOptions);
  /** Instantiates asynchronously; browsers refuse the constructor's synchronous instantiation of a module over 8 MB on their main thread. */
  static instantiate(module: WebAssembly.Module, options?: LoadOptions): Promise<Verifier>;
  /** Pins a trust-list operator key; pinned keys survive resetTrust. Throws TrustError for a key that is not a public JWK with kid and alg. */
  addOperatorKey(jwk: OperatorKey): void;
  /** Adds a trust source; a signed bundle must verify with a pinned operator key. Throws TrustError when refused. */
  addTrust(name: string, data: Bytes): void;
  resetTrust(): void;
  /** The report JSON text: the same bytes as the Go host and the native verifier. */
  verifyJSON(document: Bytes, options?: VerifyOptions): string;
  verify(document: Bytes, options?: VerifyOptions): Report;
}

/** Loads the module (by default the apostille.wasm beside apostille.mjs), pins the operator keys, then adds the trust. */
export function load(source?: BufferSource | Response | URL | string | WebAssembly.Module, options?: LoadOptions): Promise<Verifier>;
