// The one function of d3-dsv the simulator uses (the package ships no types).
declare module 'd3-dsv' {
  /** Parses CSV text (RFC 4180 quoting) into rows of cells, without a header. */
  export function csvParseRows(text: string): string[][];
}
