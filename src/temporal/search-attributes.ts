import type { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../shared/constants.js';

/** `temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD` (@temporalio/proto is not a direct dependency). */
const INDEXED_VALUE_TYPE_KEYWORD = 2;
/** gRPC status code ALREADY_EXISTS: another process registered the attribute first. */
const GRPC_ALREADY_EXISTS = 6;

/**
 * Thrown when a custom search attribute that durabatch needs exists with a type other than Keyword, which no
 * registration can fix: the namespace needs a different name or a fresh server.
 */
export class SearchAttributeConflictError extends Error {
  override readonly name = 'SearchAttributeConflictError';
  readonly code = 'SEARCH_ATTRIBUTE_CONFLICT';

  constructor(
    readonly attribute: string,
    readonly namespace: string,
  ) {
    super(`search attribute ${attribute} exists in namespace ${namespace} but is not of type Keyword`);
  }
}

/**
 * Registers whichever of durabatch's custom search attributes (`DurabatchBatchId`, `DurabatchProvider`,
 * `DurabatchItemStatus`, all Keyword) the namespace lacks, through the operator service, and returns the names it
 * added. Safe to call on every start and concurrently; used for reused dev servers and by `durabatch setup`.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  names: readonly string[] = SEARCH_ATTRIBUTES,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: string[] = [];
  for (const name of names) {
    const type = customAttributes[name];
    if (type === undefined) missing.push(name);
    else if (Number(type) !== INDEXED_VALUE_TYPE_KEYWORD) throw new SearchAttributeConflictError(name, namespace);
  }
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(missing.map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD] as const));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    if ((err as { code?: unknown }).code !== GRPC_ALREADY_EXISTS) throw err;
  }
  return missing;
}
