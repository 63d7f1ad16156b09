import type { CacheConfig } from "../config.ts";
import { type ApiResult, jsonText } from "../http/api-response.ts";
import { rewritePagingLinks } from "../http/paging-links.ts";
import { cacheHeaders, type Visibility } from "./cache-headers.ts";
import type { SearchAnswer } from "./search-cache.ts";

export interface SearchResponseContext {
  cacheConfig: CacheConfig;
  /** Spotify's API base: its search links are the ones pointed at us. */
  apiUrl: string;
  /** Our own `GET /search` for this request (see `searchBase`). */
  linkBase: string;
  visibility: Visibility;
  now: number;
}

/**
 * The 200 for a search: Spotify's body with its paging links pointed at us (rewritten at answer
 * time, so one cached entry serves every host), and the cache's headers.
 */
export function searchResponse(answer: SearchAnswer, context: SearchResponseContext): ApiResult {
  const body = rewritePagingLinks(answer.body, context.apiUrl, context.linkBase);
  const result = jsonText(200, body);
  Object.assign(
    result.headers,
    cacheHeaders(answer.cache, context.cacheConfig, context.now, context.visibility),
  );
  return result;
}
