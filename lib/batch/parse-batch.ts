import { ConfigurationError, ServiceError } from "../errors.ts";
import { isRecord } from "../records.ts";
import { type RawSearch, type SearchParams, validateSearch } from "../search/search-params.ts";
import { MAX_OFFSET } from "../search/search-rules.ts";

/** One validated entry of a batch. */
export interface BatchQuery {
  index: number;
  params: SearchParams;
  /** How many pages to collect by following Spotify's `next` links (1 = the first page only). */
  pages: number;
}

/** An entry that failed validation: reported with the run, never silently dropped. */
export interface InvalidEntry {
  index: number;
  entry: unknown;
  message: string;
}

const ENTRY_KEYS = new Set(["q", "type", "market", "limit", "offset", "include_external", "pages"]);

/** Parses the batch's JSON text (the SSM parameter's value); `source` names it in errors. */
export function parseBatchText(text: string, source: string, maxLimit: number) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`${source} is not valid JSON; expected an array of searches`);
  }
  return parseBatch(value, source, maxLimit);
}

/** Validates every entry with the API's rules; bad entries are collected, the rest still run. */
export function parseBatch(
  value: unknown,
  source: string,
  maxLimit: number,
): { queries: BatchQuery[]; invalid: InvalidEntry[] } {
  if (!Array.isArray(value)) {
    throw new ConfigurationError(
      `${source} must be a JSON array of searches like {"q":"…","type":"artist"}`,
    );
  }
  const queries: BatchQuery[] = [];
  const invalid: InvalidEntry[] = [];
  value.forEach((entry, index) => {
    try {
      queries.push({ index, ...parseEntry(entry, maxLimit) });
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      invalid.push({ index, entry, message: error.message });
    }
  });
  return { queries, invalid };
}

function parseEntry(entry: unknown, maxLimit: number): { params: SearchParams; pages: number } {
  if (!isRecord(entry) || Array.isArray(entry)) {
    throw new ConfigurationError('Entry must be an object like {"q":"…","type":"artist"}');
  }
  const record = entry;
  const unknown = Object.keys(record).filter((key) => !ENTRY_KEYS.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `Entry has unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`,
    );
  }
  const params = validateSearch(record as RawSearch, maxLimit);
  const pages = record.pages ?? 1;
  const pageSize = params.limit ?? maxLimit;
  // A page of 0 items never advances the offset: one page is all there is to fetch.
  const left = MAX_OFFSET - (params.offset ?? 0);
  const maxPages = pageSize === 0 ? 1 : Math.max(1, Math.ceil(left / pageSize));
  if (typeof pages !== "number" || !Number.isInteger(pages) || pages < 1 || pages > maxPages) {
    throw new ConfigurationError(
      `Field pages must be an integer from 1 to ${maxPages} for this entry`,
    );
  }
  return { params, pages };
}
