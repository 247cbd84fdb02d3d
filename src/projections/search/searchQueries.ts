import type pg from 'pg';
import type { SearchKind } from './searchDocument.js';

export interface SearchHitRow {
  kind: SearchKind;
  id: string;
  title: string;
  subtitle: string;
  rank: number;
}

export interface SuggestionRow {
  kind: SearchKind;
  id: string;
  title: string;
  similarity: number;
}

// Below this word similarity a title is too far from the query to be what was meant.
const MIN_SIMILARITY = 0.3;
const MAX_TERMS = 8;

const prefixTerm = (word: string) => {
  const parts = word.split('-');
  if (parts.length === 1) return `${word}:*`;
  // PostgreSQL parses a hyphenated word differently from its parts alone ("5e6f" alone is the
  // number 5e6 then "f"): match the whole word as the documents hold it, or each part.
  return `(${word}:* | ${parts.map((part) => `${part}:*`).join(' & ')})`;
};

/**
 * The words of `q` as a prefix query (`clean:* & ord:*`), so a query finds titles as they are
 * typed. Only letters, digits, `_` and hyphens inside a word pass: nothing of the input reaches
 * tsquery syntax. Empty when `q` has no words.
 */
export const toPrefixQuery = (q: string): string =>
  (q.toLowerCase().match(/[\p{L}\p{N}_]+(?:-[\p{L}\p{N}_]+)*/gu) ?? [])
    .slice(0, MAX_TERMS)
    .map(prefixTerm)
    .join(' & ');

/** Documents matching every word of `q`, best first. */
export const searchDocuments = async (
  pool: pg.Pool,
  q: string,
  options: { first: number; kinds: readonly SearchKind[] | null },
): Promise<SearchHitRow[]> => {
  const query = toPrefixQuery(q);
  if (!query) return [];
  const { rows } = await pool.query<SearchHitRow>(
    `SELECT kind, id, title, subtitle, ts_rank_cd(document, query) AS rank
     FROM search_documents, to_tsquery('pg_catalog.english', $1) AS query
     WHERE NOT deleted AND document @@ query AND ($3::text[] IS NULL OR kind = ANY($3))
     ORDER BY rank DESC, title, kind, id LIMIT $2`,
    [query, options.first, options.kinds],
  );
  return rows;
};

/**
 * Titles that look like `q` (trigram word similarity), for a query with a typo: "pipline"
 * suggests "Pipeline nightly orders". The nearest are found through the trigram index, then
 * those too far away are dropped.
 */
export const suggestTitles = async (
  pool: pg.Pool,
  q: string,
  options: { first: number; kinds: readonly SearchKind[] | null },
): Promise<SuggestionRow[]> => {
  const text = q.trim();
  if (!text) return [];
  const { rows } = await pool.query<SuggestionRow>(
    `SELECT kind, id, title, similarity FROM (
       SELECT kind, id, title, public.word_similarity($1, title) AS similarity
       FROM search_documents
       WHERE NOT deleted AND ($3::text[] IS NULL OR kind = ANY($3))
       ORDER BY $1 OPERATOR(public.<<->) title LIMIT $2
     ) AS nearest
     WHERE similarity >= $4 ORDER BY similarity DESC, title, kind, id`,
    [text, options.first, options.kinds, MIN_SIMILARITY],
  );
  return rows;
};
