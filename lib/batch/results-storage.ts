/** What finishing a run's upload came to: stored now, or found there already (a replayed run). */
export type StoreResult = "stored" | "already-stored";

/** One run's results object, written as the pages arrive. */
export interface ResultsWriter {
  write(text: string): Promise<void>;
  /** Makes the object visible, only if no object has the key yet. */
  finish(signal?: AbortSignal): Promise<StoreResult>;
  /** Leaves nothing behind. */
  abort(): Promise<void>;
}

/** Where the batch's results go (S3 in `lib/aws/results-store.ts`). */
export interface ResultsStorage {
  /** How long finishing the last upload took, to size the next run's reserve. */
  readonly lastFinishMs: number | undefined;
  keyFor(runId: string, startedAt: Date): string;
  uri(key: string): string;
  open(key: string): ResultsWriter;
}

/** Where the batch definition is read (SSM in `lib/aws/parameter-cache.ts`). */
export interface QueriesSource {
  read(name: string, signal?: AbortSignal): Promise<string>;
}
