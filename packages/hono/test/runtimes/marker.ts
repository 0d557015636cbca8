/** The line prefix a server-side runtime prints its results after. */
export const RESULTS_MARKER = '@sess/hono runtime results: ';
