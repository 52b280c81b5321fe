// Type declarations for the SeedGrains collaborative-session client (clients/js). Offsets are UTF-16 code units.

/** Replace [start, end) of the text before the change with `text`. */
export interface Range { start: number; end: number; text: string; }

/** A range to regenerate; `maxTokens` overrides the mask budget (1..1024). */
export interface RegionRequest { start: number; end: number; maxTokens?: number; }

/** A region the model is filling, in local-text offsets; `firstMask` is the offset of its first `<|mask|>`. */
export interface Region { start: number; end: number; masked: number; firstMask: number; }

/** Decoding controls of docs/api.md ("Decoding controls"). */
export interface Decoding {
  policy?: 'confidence' | 'topk' | 'entropy';
  threshold?: number;
  entropyBound?: number;
  maxSteps?: number;
  blockSize?: number;
  temperature?: number;
  seed?: number;
}

export type Status = 'denoising' | 'idle' | 'cancelled' | 'failed';

export interface Peer { clientId: string; displayName: string; cursor: number | null; selection: { start: number; end: number } | null; }

export interface ChangeEvent {
  version: number;
  /** The change's author: a clientId, "model", or null (anonymous). */
  author: string | null;
  editId?: string | null;
  /** Range sets that turned `previousText` into `text`, to apply in order (e.g. to an editor). */
  changes: Range[][];
  previousText: string;
  text: string;
  /** True when the changes come from a fresh snapshot (the stream could not continue with deltas). */
  snapshot?: boolean;
  /** True when the changes undo this client's edit that the server refused. */
  rejected?: boolean;
}

export interface ProgressEvent { version: number; status: Status; masked: number; regions: Region[]; error?: string; }
export interface PresenceEvent { clientId: string; displayName: string; left: boolean; }
export interface RollbackEvent { editIds: string[]; reason: 'conflict' | 'rejected'; problem?: ApiError; }
export interface ConnectionEvent { state: 'open' | 'reconnecting' | 'closed'; resumedFrom?: number | null; error?: ApiError; }

/** An error answer of the API: `status` and the problem details body. */
export interface ApiError extends Error { status: number; problem: { title?: string; detail?: string; [key: string]: unknown } | null; }

export interface SessionEvents {
  change: ChangeEvent;
  progress: ProgressEvent;
  presence: PresenceEvent;
  rollback: RollbackEvent;
  resync: { version: number };
  connection: ConnectionEvent;
  error: Error;
}

export interface ConnectOptions {
  /** This client's id (1–128 characters, not "model"); default: random. */
  clientId?: string;
  /** The name others see next to this client's cursor; default: the clientId. */
  displayName?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
  /** First delay before reconnecting or resending, doubled up to 10 s (default 250 ms). */
  retryDelayMs?: number;
  /** How often presence is repeated while set (default 20 000 ms; 0: never). */
  presenceEveryMs?: number;
}

export declare class Session {
  readonly id: string;
  readonly clientId: string;
  displayName: string;
  /** Resolves with the session once its first snapshot has arrived. */
  readonly opened: Promise<Session>;
  /** The local text: the server's confirmed text with this client's pending edits applied. */
  readonly text: string;
  /** The last server version applied here. */
  readonly version: number;
  readonly confirmedText: string;
  readonly pendingCount: number;
  readonly status: Status | null;
  readonly masked: number;
  readonly error: string | undefined;
  readonly regions: Region[];
  /** The `<|mask|>` placeholders of the local text. */
  readonly masks: Array<{ start: number; end: number }>;
  readonly peers: Peer[];
  on<K extends keyof SessionEvents>(event: K, handler: (payload: SessionEvents[K]) => void): () => void;
  off<K extends keyof SessionEvents>(event: K, handler: (payload: SessionEvents[K]) => void): void;
  /** Edits the local text at once (ranges of `text`, sorted, non-overlapping); sent and rebased in the background. */
  edit(ranges: Range | Range[]): void;
  /** Asks the model to rewrite ranges of the local text; returns the request's editId. */
  regenerate(regions: RegionRequest | RegionRequest[], options?: { decoding?: Decoding }): string;
  setPresence(presence: { cursor?: number | null; selection?: { start: number; end: number } | null; displayName?: string }): void;
  /** Stops the model's work on the session. */
  cancel(): Promise<void>;
  /** Resolves when every edit of this client has been acknowledged or rolled back. */
  synced(): Promise<void>;
  close(): void;
}

/** Opens a session's event stream; resolves once its snapshot has arrived. */
export declare function connect(baseUrl: string, key: string, sessionId: string, options?: ConnectOptions): Promise<Session>;

export type Relation = 'merge' | 'otherPerson';
export declare const Relation: { readonly merge: 'merge'; readonly otherPerson: 'otherPerson' };
export declare const MODEL: 'model';
export declare function relationOf(clientId: string | null, author: string | null): Relation;
export declare function overlaps(a: Range, b: Range): boolean;

/** E′ (the edit for C(T)) and C′ (the change for E(T)), or the index of the change's first range the edit overlaps. */
export type TransformOutcome = { edit: Range[]; change: Range[]; conflict: null } | { edit: null; change: null; conflict: number };
export declare function transform(edit: Range[], change: Range[], relation: Relation): TransformOutcome;

export interface LoggedChange { version: number; author: string | null; ranges: Range[]; }
export type RebaseResult =
  | { result: 'rebased'; ranges: Range[] }
  | { result: 'conflict'; start: number; end: number; currentVersion: number; conflictingVersion: number; conflictingAuthor: string | null }
  | { result: 'tooOld'; oldestBaseVersion: number; currentVersion: number };
/** The server's rebase of an edit through a change log (for simulations and tests). */
export declare function rebase(edit: { clientId: string | null; baseVersion: number; ranges: Range[] }, log: { version: number; changes: LoggedChange[] }, currentLength: number): RebaseResult;

export declare function apply(text: string, ranges: Range[]): string;
export declare function inverse(before: string, ranges: Range[]): Range[];
export declare function validate(ranges: Range[], textLength: number): void;
export declare function withoutNoOps(ranges: Range[]): Range[];
export declare function lengthDelta(ranges: Range[]): number;
export declare function mapPoint(point: number, ranges: Range[], after?: boolean): number;
export declare function mapSpan(start: number, end: number, ranges: Range[]): [number, number];

export type PendingRequest =
  | { kind: 'edit'; editId: string; ranges: Range[]; baseVersion: number }
  | { kind: 'regenerate'; editId: string; regions: RegionRequest[]; decoding?: Decoding; baseVersion: number };
export interface ClientUpdate { localChanges: Range[][]; toSend: PendingRequest | null; rolledBack: string[]; }

/** The protocol state without I/O (docs/api.md, "The client's side"). */
export declare class ClientDocument {
  constructor(clientId: string, text: string, version: number, editPrefix?: string);
  readonly clientId: string;
  readonly confirmedText: string;
  readonly confirmedVersion: number;
  readonly text: string;
  readonly pending: readonly PendingRequest[];
  readonly inFlight: PendingRequest | null;
  localEdit(ranges: Range[]): PendingRequest | null;
  localRegenerate(regions: RegionRequest[], decoding?: Decoding): PendingRequest | null;
  onServerChange(change: { version: number; author: string | null; editId?: string | null; ranges: Range[] }): ClientUpdate;
  onRejected(editId: string): ClientUpdate;
  onSnapshot(text: string, version: number, inFlightIncluded: boolean): ClientUpdate;
}

/** Reads a text/event-stream response body; resolves when it ends. */
export declare function readEventStream(response: Response, onEvent: (event: { event: string; id: string | null; data: string }) => void): Promise<void>;
