import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_BATCH_ID, SEARCH_ATTRIBUTE_ITEM_STATUS, SEARCH_ATTRIBUTE_PROVIDER } from './constants.js';

/** Typed search attribute keys; registered as Keyword on the dev server and by `durabatch setup`. */
export const BATCH_ID_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTE_BATCH_ID, SearchAttributeType.KEYWORD);
export const PROVIDER_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTE_PROVIDER, SearchAttributeType.KEYWORD);
export const ITEM_STATUS_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTE_ITEM_STATUS, SearchAttributeType.KEYWORD);
