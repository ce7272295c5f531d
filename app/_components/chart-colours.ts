// The charts' series colours, in one place: each at least 4.5:1 against white, since legends print them as text.
export const CHART_COLOURS = ["#1f5fbf", "#b14c16", "#2e7d4f", "#8a3ea8", "#8a6508", "#00707a"] as const;

/** The colour of the i-th series (cycling). */
export const seriesColour = (i: number): string => CHART_COLOURS[i % CHART_COLOURS.length] as string;
