/**
 * How much the console's JSON holds at most, so that an organization of 10,000 accounts stays
 * cheap to show: accounts per open container, targets per policy, recent events and handshakes,
 * and how far the tree opens by itself.
 */

/** Accounts shown per open container until the page asks for more. */
export const DEFAULT_PAGE = 100;
/** The most accounts one container (or a search) returns in one answer. */
export const MAX_PAGE = 2000;
/** Targets listed per policy (the count is always exact). */
export const MAX_TARGETS_PER_POLICY = 50;
/** Events and handshakes in one answer (older events: GET /_orgsim/events with nextToken). */
export const RECENT_EVENTS = 50;
export const RECENT_HANDSHAKES = 100;
/** Longest search text accepted. */
export const MAX_SEARCH_LENGTH = 128;
/**
 * The tree opens by itself, breadth first, while it stays this small: OUs (those the page has not
 * opened or closed) open while the rows shown (OUs and accounts) stay within AUTO_OPEN_ROWS, if
 * they are at most AUTO_OPEN_DEPTH levels deep and hold at most AUTO_OPEN_MAX_ACCOUNTS accounts.
 */
export const AUTO_OPEN_ROWS = 400;
export const AUTO_OPEN_DEPTH = 6;
export const AUTO_OPEN_MAX_ACCOUNTS = 100;
