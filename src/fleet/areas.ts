/**
 * Technicians' extra service areas: per slot the GeoJSON as given (frozen copies, read back by
 * `Fleet.get`) and its compiled form, and an index from each 0.125° cell of the fleet's grid
 * (`geo/cells.ts`) to the slots with an area whose bounding box touches that cell. The planner
 * reads the one cell a job lies in: a short list of technicians whose area might hold the job,
 * wherever their home is. A fleet without areas keeps the index empty and costs one size check.
 */
import { describe, InvalidTechnicianError } from '../shared/errors.js';
import type { GeoJsonArea } from '../shared/types.js';
import { copyArea } from './geo/area-copy.js';
import { gridMayHold } from './geo/area-index.js';
import { CELL_DEG, COLS, colOf, ROWS, rowOf } from './geo/cells.js';
import { areaBoxes, areaContains, type CompiledArea, compileArea, InvalidAreaError } from './geo/polygon.js';

/** Most extra areas per technician. */
export const MAX_AREAS = 64;

/** A slot's areas: the sources as given and their compiled forms, in the same order. */
export interface SlotAreas {
  readonly sources: readonly GeoJsonArea[];
  readonly compiled: readonly CompiledArea[];
}

const NONE: readonly GeoJsonArea[] = Object.freeze([]);
/**
 * Reads a technician's `areas` field: an array of at most {@link MAX_AREAS} GeoJSON areas, copied
 * and compiled. Throws {@link InvalidTechnicianError} with the path of the offending part (e.g.
 * `areas[1].coordinates[0]`) and what to do; nothing is stored on failure.
 */
export function readAreas(value: unknown, ctx: string): SlotAreas {
  const bad = (detail: string, path = 'areas'): never => {
    throw new InvalidTechnicianError(`${ctx}: ${path} ${detail}.`, path);
  };
  if (!Array.isArray(value)) {
    return bad(
      `is ${describe(value)}; pass an array of GeoJSON Polygon or MultiPolygon areas (or leave it out)`,
    );
  }
  if (value.length > MAX_AREAS)
    bad(`has ${value.length} entries; pass at most ${MAX_AREAS} (merge them into a MultiPolygon)`);
  const sources: GeoJsonArea[] = [];
  const compiled: CompiledArea[] = [];
  for (let i = 0; i < value.length; i++) {
    const path = `areas[${i}]`;
    try {
      const copy = copyArea(value[i], path);
      compiled.push(compileArea(copy, path));
      sources.push(copy as GeoJsonArea);
    } catch (e) {
      if (e instanceof InvalidAreaError) throw new InvalidTechnicianError(`${ctx}: ${e.message}`, e.path);
      bad(`[${i}] could not be read (${describe(e)}); pass GeoJSON as plain data`, path);
    }
  }
  const out = { sources: Object.freeze(sources), compiled: Object.freeze(compiled) };
  COMPILED.set(out.sources, out);
  return out;
}

/** Compiled forms of the source arrays {@link readAreas} made, so a record read back and written again is not recompiled. */
const COMPILED = new WeakMap<readonly GeoJsonArea[], SlotAreas>();

/** The compiled areas of a source array (read and compiled now unless {@link readAreas} made it). */
export function areasFor(sources: readonly GeoJsonArea[], ctx: string): SlotAreas {
  return COMPILED.get(sources) ?? readAreas(sources, ctx);
}

/** The extra areas of a fleet's technicians and their cell index. */
export class FleetAreas {
  private readonly bySlot = new Map<number, SlotAreas>();
  /** Cell key → slots whose area box touches the cell (each slot once per cell). */
  private readonly cells = new Map<number, number[]>();
  private entries = 0;

  /** Technicians with at least one area. */
  get technicians(): number {
    return this.bySlot.size;
  }

  /** Slot entries in the cell index (one per slot and cell). */
  get cellEntries(): number {
    return this.entries;
  }

  /** The areas of a slot, or undefined. */
  of(slot: number): SlotAreas | undefined {
    return this.bySlot.get(slot);
  }

  /** The GeoJSON sources of a slot's areas (empty when none). */
  sourcesOf(slot: number): readonly GeoJsonArea[] {
    return this.bySlot.get(slot)?.sources ?? NONE;
  }

  /**
   * Slots that may have an area holding (lat, lon): those registered in its cell; undefined when
   * none (and at once, without hashing, when no technician has an area).
   */
  at(lat: number, lon: number): readonly number[] | undefined {
    if (this.entries === 0) return undefined;
    return this.cells.get(rowOf(lat) * COLS + colOf(lon));
  }

  /** Whether one of the slot's areas holds (lat, lon). */
  contains(slot: number, lat: number, lon: number): boolean {
    const a = this.bySlot.get(slot);
    if (a === undefined) return false;
    for (const c of a.compiled) if (areaContains(c, lat, lon)) return true;
    return false;
  }

  /** Replaces a slot's areas (undefined or empty: none). Cannot throw. */
  set(slot: number, areas: SlotAreas | undefined): void {
    const old = this.bySlot.get(slot);
    if (old === areas) return;
    if (old !== undefined) {
      for (const key of cellsOf(old)) {
        const list = this.cells.get(key)!;
        const i = list.indexOf(slot);
        list[i] = list[list.length - 1]!;
        list.pop();
        if (list.length === 0) this.cells.delete(key);
        this.entries--;
      }
      this.bySlot.delete(slot);
    }
    if (areas === undefined || areas.compiled.length === 0) return;
    this.bySlot.set(slot, areas);
    for (const key of cellsOf(areas)) {
      const list = this.cells.get(key);
      if (list === undefined) this.cells.set(key, [slot]);
      else list.push(slot);
      this.entries++;
    }
  }
}

/**
 * The cells an area set is registered under: the cells its boxes touch, each once, leaving out
 * those the area's own grid marks wholly outside (a canton fills about half its box). A box that
 * reaches ±180° also takes the column on the other side, since −180 and 180 are one meridian.
 */
function cellsOf(areas: SlotAreas): Set<number> {
  const out = new Set<number>();
  for (const area of areas.compiled) {
    const grid = area.index.grid;
    for (const [x0, y0, x1, y1] of areaBoxes(area)) {
      // The box in the area's unwrapped longitudes: a western piece past 180° is shifted by 360.
      const shift = area.crossesAntimeridian && x0 < area.bbox[0] ? 360 : 0;
      const r0 = rowOf(y0);
      const r1 = rowOf(y1);
      const c0 = colOf(x0);
      const c1 = colOf(x1);
      for (let r = r0; r <= r1 && r < ROWS; r++) {
        const lat0 = r * CELL_DEG - 90;
        for (let c = c0; c <= c1; c++) {
          const lon0 = c * CELL_DEG - 180 + shift;
          if (grid === null || gridMayHold(grid, lon0, lat0, lon0 + CELL_DEG, lat0 + CELL_DEG)) {
            out.add(r * COLS + c);
          }
        }
        if (x1 >= 180) out.add(r * COLS);
        if (x0 <= -180) out.add(r * COLS + COLS - 1);
      }
    }
  }
  return out;
}
