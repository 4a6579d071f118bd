// Domain types shared by every host layer. Shapes follow ../shared/docs/api-contract.md.

export const IDENTIFIER_TYPES = ['email', 'phone', 'device', 'customer', 'subscriber'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export interface Identifier {
  type: IdentifierType;
  value: string;
}

/** An event as a client sends it (before validation and normalization). */
export interface IncomingEvent {
  id?: string;
  type?: string;
  timestamp?: string;
  identifiers?: Partial<Record<IdentifierType, string | string[]>>;
  token?: string;
  traits?: Record<string, unknown>;
}

/** The contract's error object: `{ code, message, details? }`. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** One rejected event or dropped value in an ingest response. */
export interface ItemError {
  index: number;
  field: string;
  error: ErrorBody;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  errors: ItemError[];
}

export interface PersonaIdentifier {
  type: IdentifierType;
  value: string;
  firstSeen: string;
  lastSeen: string;
}

export interface Persona {
  id: string;
  aliases: string[];
  email: string | null;
  phone: string | null;
  identifiers: PersonaIdentifier[];
  counts: Record<IdentifierType, number>;
  createdAt: string;
  updatedAt: string;
}

export type Channel = 'email' | 'sms' | 'viber';

export interface AudienceRequest {
  channel: Channel;
  recipients: Identifier[];
}

export interface AudienceRecipient {
  persona: string | null;
  address: string;
  inputs: number[];
}

export interface AudienceResult {
  recipients: AudienceRecipient[];
  unreachable: number[];
  stats: { input: number; recipients: number; duplicatesRemoved: number; unreachable: number };
}

/** A failure the caller caused; the HTTP layer maps `status` and `code` straight to the response. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RequestError';
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
