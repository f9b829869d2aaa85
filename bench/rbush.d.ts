/** Minimal types for rbush 4 (the package ships none), covering what the benchmark uses. */
declare module 'rbush' {
  export interface BBox {
    minX: number;
    minY: number;
    maxX: number;
    maxY: number;
  }
  export default class RBush<T extends BBox> {
    constructor(maxEntries?: number);
    load(items: readonly T[]): this;
    insert(item: T): this;
    remove(item: T, equals?: (a: T, b: T) => boolean): this;
    search(bbox: BBox): T[];
    clear(): this;
  }
}
