/**
 * Every way compileArea refuses an area: a typed InvalidAreaError (an InvalidArgumentError, code
 * INVALID_ARGUMENT) whose path names the offending part under the caller's root and whose message
 * says what is wrong and what to do. Plus what it accepts that a strict reader might not.
 */
import { describe, expect, it } from 'vitest';
import { areaContains, compileArea, InvalidAreaError } from '../src/fleet/geo/polygon.js';
import { CrowdDispatchError, InvalidArgumentError } from '../src/shared/errors.js';

const square = (x = 0, y = 0, s = 1) => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
];
const poly = (...rings: unknown[][][]) => ({ type: 'Polygon', coordinates: rings });

function refusal(input: unknown, options?: unknown): InvalidAreaError {
  try {
    compileArea(input, 'tech.areas[0]', options as never);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidAreaError);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toBeInstanceOf(CrowdDispatchError);
    expect((e as InvalidAreaError).code).toBe('INVALID_ARGUMENT');
    expect((e as InvalidAreaError).name).toBe('InvalidAreaError');
    return e as InvalidAreaError;
  }
  throw new Error('compileArea accepted an invalid area');
}

const R = 'tech.areas[0]';
const C = `${R}.coordinates`;

// [what, input, path, message pattern]
const CASES: [string, unknown, string, RegExp][] = [
  ['null', null, R, /is null; give a GeoJSON Polygon or MultiPolygon geometry, or a Feature of one/],
  ['an array', [[0, 0]], R, /is \[.*\]; give a GeoJSON Polygon/],
  ['a number', 7, R, /is 7; give/],
  ['a Point', { type: 'Point', coordinates: [8, 47] }, `${R}.type`, /is a Point, which encloses no area/],
  ['a misspelt type', { type: 'Polygn', coordinates: [square()] }, `${R}.type`, /type is "Polygn"; give/],
  ['no type', { coordinates: [square()] }, `${R}.type`, /type is undefined/],
  [
    'an unknown field',
    { ...poly(square()), crs: 'EPSG:4326' },
    `${R}.crs`,
    /unknown field "crs"; a GeoJSON Polygon has only type, coordinates, bbox\. Remove the field/,
  ],
  [
    'a misspelt field',
    { type: 'Polygon', coordinate: [square()] },
    `${R}.coordinate`,
    /unknown field "coordinate".*Did you mean 'coordinates'\?/,
  ],
  [
    'a bad bbox',
    { ...poly(square()), bbox: [0, 0, 1] },
    `${R}.bbox`,
    /bbox is \[0, 0, 1\]; give 4 \(or 6\) finite/,
  ],
  [
    'coordinates missing',
    { type: 'Polygon' },
    C,
    /coordinates is undefined; a polygon is a non-empty array of rings/,
  ],
  ['no rings', poly(), C, /coordinates is \[\]; a polygon is a non-empty array/],
  [
    'an empty MultiPolygon',
    { type: 'MultiPolygon', coordinates: [] },
    C,
    /a MultiPolygon's coordinates are a non-empty array of polygons/,
  ],
  [
    'an empty polygon of a MultiPolygon',
    { type: 'MultiPolygon', coordinates: [[square()], []] },
    `${C}[1]`,
    /non-empty array of rings/,
  ],
  [
    'a ring that is not an array',
    poly('ring' as never),
    `${C}[0]`,
    /is "ring"; a ring is an array of \[lon, lat\] positions/,
  ],
  [
    'a ring of 3 positions',
    poly([
      [0, 0],
      [1, 0],
      [0, 0],
    ]),
    `${C}[0]`,
    /has 3 position\(s\); a ring needs at least 4 \(3 corners and the first repeated at the end\)/,
  ],
  [
    'a position of 1 number',
    poly([[0, 0], [1, 0], [1], [0, 0]]),
    `${C}[0][2]`,
    /is \[1\]; a position is \[lon, lat\]/,
  ],
  [
    'a position of 4 numbers',
    poly([
      [0, 0],
      [1, 0],
      [1, 1, 0, 0],
      [0, 0],
    ]),
    `${C}[0][2]`,
    /a position is \[lon, lat\] or \[lon, lat, altitude\]/,
  ],
  [
    'a NaN',
    poly([
      [0, 0],
      [1, 0],
      [Number.NaN, 1],
      [0, 0],
    ]),
    `${C}[0][2][0]`,
    /is NaN; coordinates must be finite numbers/,
  ],
  [
    'an Infinity',
    poly([
      [0, 0],
      [1, 0],
      [1, Number.POSITIVE_INFINITY],
      [0, 0],
    ]),
    `${C}[0][2][1]`,
    /is Infinity/,
  ],
  [
    'a string coordinate',
    poly([
      [0, 0],
      ['1', 0],
      [1, 1],
      [0, 0],
    ]),
    `${C}[0][1][0]`,
    /is "1"; coordinates must be finite/,
  ],
  [
    'a longitude out of range',
    poly([
      [0, 0],
      [181, 0],
      [1, 1],
      [0, 0],
    ]),
    `${C}[0][1][0]`,
    /\(longitude\) is 181; it must be within \[-180, 180\]/,
  ],
  [
    'a latitude out of range (lat, lon swapped)',
    poly([
      [47, 8],
      [47, 9],
      [48, 95],
      [47, 8],
    ]),
    `${C}[0][2][1]`,
    /\(latitude\) is 95; it must be within \[-90, 90\] \(positions are \[lon, lat\]\)/,
  ],
  [
    'an unclosed ring',
    poly([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]),
    `${C}[0]`,
    /is not closed: its first position \[0, 0\] differs from its last \[0, 1\]; repeat the first position at the end/,
  ],
  [
    'a ring on one line',
    poly([
      [0, 0],
      [1, 1],
      [2, 2],
      [0, 0],
    ]),
    `${C}[0]`,
    /encloses no area \(3 distinct position\(s\), all on one line\)/,
  ],
  [
    'a ring of one repeated position',
    poly([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]),
    `${C}[0]`,
    /encloses no area \(1 distinct/,
  ],
  [
    'a bow tie',
    poly([
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ]),
    `${C}[0][0]`,
    /coordinates\[0\] crosses itself: the edge from .*\[0\]\[0\] meets the edge from .*\[0\]\[2\]; a ring may not cross or touch itself/,
  ],
  [
    'a figure eight through one vertex',
    poly([
      [0, 0],
      [2, 0],
      [1, 1],
      [2, 2],
      [0, 2],
      [1, 1],
      [0, 0],
    ]),
    `${C}[0][1]`,
    /touches itself/,
  ],
  [
    'a ring touching its own edge',
    poly([
      [0, 0],
      [4, 0],
      [4, 2],
      [2, 0.000001],
      [2, 0],
      [0, 2],
      [0, 0],
    ]),
    `${C}[0][0]`,
    /touches itself|crosses itself/,
  ],
  [
    'a spike back along an edge',
    poly([
      [0, 0],
      [2, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ]),
    `${C}[0][1]`,
    /turns straight back on itself at .*\[0\]\[1\]; remove the position/,
  ],
  [
    'a hole crossing its shell',
    poly(square(0, 0, 4), square(3, 1, 2)),
    `${C}[1][0]`,
    /hole .*\[1\] crosses its shell .*\[0\]: the edge from/,
  ],
  [
    'a hole sharing a stretch of its shell',
    poly(square(0, 0, 4), [
      [0, 1],
      [1, 1],
      [1, 2],
      [0, 2],
      [0, 1],
    ]),
    `${C}[1][3]`,
    /hole .*\[1\] overlaps its shell .*\[0\]: the edge from .* runs along the edge/,
  ],
  [
    'a hole outside its shell',
    poly(square(0, 0, 1), square(5, 5, 1)),
    `${C}[1]`,
    /hole .*\[1\] is not inside its shell .*\[0\].*make it a polygon of its own in a MultiPolygon/,
  ],
  [
    'a hole inside a hole',
    poly(square(0, 0, 10), square(1, 1, 8), square(3, 3, 2)),
    `${C}[2]`,
    /hole .*\[2\] lies inside hole .*\[1\]; holes may not nest/,
  ],
  [
    'two holes crossing',
    poly(square(0, 0, 10), square(1, 1, 4), square(3, 3, 4)),
    `${C}[2][0]`,
    /hole .*\[2\] crosses hole .*\[1\]/,
  ],
  [
    'a ring spanning 360° once unwrapped',
    poly([
      [0, 0],
      [170, 10],
      [-20, 20],
      [150, 30],
      [-20, 40],
      [170, 50],
      [0, 60],
      [0, 0],
    ]),
    `${C}[0]`,
    /spans 510° of longitude once unwrapped; an area must span less than 360°/,
  ],
  [
    'a Feature with an unknown field',
    { type: 'Feature', geometry: poly(square()), properties: {}, style: 'red' },
    `${R}.style`,
    /a GeoJSON Feature has only type, geometry, properties, id, bbox/,
  ],
  [
    'a Feature without geometry',
    { type: 'Feature', properties: null },
    `${R}.geometry`,
    /geometry is undefined; a Feature of an area has a Polygon/,
  ],
  [
    'a Feature of a LineString',
    { type: 'Feature', geometry: { type: 'LineString', coordinates: [] } },
    `${R}.geometry.type`,
    /is a LineString, which encloses no area/,
  ],
  [
    'a Feature of a Feature',
    { type: 'Feature', geometry: { type: 'Feature', geometry: poly(square()) } },
    `${R}.geometry.type`,
    /type is "Feature"; give/,
  ],
  [
    'Feature properties that are a string',
    { type: 'Feature', geometry: poly(square()), properties: 'x' },
    `${R}.properties`,
    /properties is "x"; give an object or null/,
  ],
  [
    'a Feature id that is an object',
    { type: 'Feature', geometry: poly(square()), id: {} },
    `${R}.id`,
    /a Feature id is a string or a number/,
  ],
  [
    'a bad ring deep in a MultiPolygon Feature',
    {
      type: 'Feature',
      geometry: {
        type: 'MultiPolygon',
        coordinates: [
          [square()],
          [
            square(5, 5),
            [
              [5, 5],
              [6, 5],
              [6, 6],
              [5, 5.5],
            ],
          ],
        ],
      },
    },
    `${R}.geometry.coordinates[1][1]`,
    /is not closed/,
  ],
];

describe('compileArea refuses bad areas with a typed error, its path and a fix', () => {
  it.each(CASES)('%s', (_, input, path, message) => {
    const e = refusal(input);
    expect(e.message).toMatch(message);
    expect(e.path).toBe(path);
  });

  it('an edge running back along another is refused (overlap or spike)', () => {
    const e = refusal(
      poly([
        [0, 0],
        [4, 0],
        [4, 2],
        [3, 2],
        [3, 0],
        [1, 0],
        [1, 2],
        [0, 2],
        [0, 0],
      ]),
    );
    expect(e.message).toMatch(
      /overlaps itself: the edge from .* runs along the edge|turns straight back|touches itself/,
    );
    expect(e.path).toMatch(/^tech\.areas\[0\]\.coordinates\[0\]\[\d\]$/);
  });

  it('refuses bad options', () => {
    expect(refusal(poly(square()), { grid: -1 }).path).toBe('options.grid');
    expect(refusal(poly(square()), { grid: 1.5 }).message).toMatch(
      /options.grid is 1.5; give an integer from 0 \(no grid\) to 1024/,
    );
    expect(refusal(poly(square()), { gird: 8 }).message).toMatch(
      /unknown field "gird".*Did you mean 'grid'\?/,
    );
    expect(refusal(poly(square()), 'fast').path).toBe('options');
  });

  it('an unreadable input is still a typed error', () => {
    const trap = {
      type: 'Polygon',
      get coordinates(): never {
        throw new Error('boom');
      },
    };
    expect(refusal(trap).message).toMatch(/could not be read \(Error: boom\)/);
  });

  it('areaContains refuses coordinates that are not WGS84 degrees', () => {
    const area = compileArea(poly(square()));
    for (const [lat, lon] of [
      [Number.NaN, 0],
      [0, Number.NaN],
      [91, 0],
      [0, 180.0001],
      [Number.POSITIVE_INFINITY, 0],
    ]) {
      expect(() => areaContains(area, lat!, lon!)).toThrow(InvalidArgumentError);
    }
    expect(() => areaContains(area, 0.5, 0.5)).not.toThrow();
  });
});

describe('compileArea accepts what RFC 7946 allows', () => {
  it('either winding order, altitudes, repeated positions, bbox, Feature id and properties', () => {
    const cw = [...square(0, 0, 2)].reverse();
    const area = compileArea({
      type: 'Feature',
      id: 'zone-1',
      bbox: [0, 0, 2, 2],
      properties: { name: 'x' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          cw.map(([x, y]) => [x!, y!, 400]),
          [
            [0.5, 0.5],
            [0.5, 0.5],
            [1, 0.5],
            [1, 1],
            [0.5, 0.5],
          ],
        ],
      },
    });
    expect(area.vertices).toBe(4 + 3);
    expect(areaContains(area, 1.5, 1.5)).toBe(true);
    expect(areaContains(area, 0.6, 0.9)).toBe(false); // in the hole
    expect(areaContains(area, 2.5, 1)).toBe(false);
  });

  it('holes touching their shell at a point, and polygons of a MultiPolygon overlapping (their union)', () => {
    const touching = compileArea(
      poly(square(0, 0, 4), [
        [0, 0],
        [1, 2],
        [2, 1],
        [0, 0],
      ]),
    );
    expect(areaContains(touching, 1.3, 1.3)).toBe(false);
    expect(areaContains(touching, 3, 3)).toBe(true);
    const union = compileArea({ type: 'MultiPolygon', coordinates: [[square(0, 0, 2)], [square(1, 1, 2)]] });
    expect(areaContains(union, 1.5, 1.5)).toBe(true);
    expect(areaContains(union, 2.5, 2.5)).toBe(true);
    expect(areaContains(union, 0.5, 2.5)).toBe(false);
  });

  it('returns a frozen area and leaves the input untouched', () => {
    const input = poly(square(170, 0, 20).map(([x, y]) => [x! > 180 ? x! - 360 : x!, y!]));
    const copy = structuredClone(input);
    const area = compileArea(input);
    expect(input).toEqual(copy);
    expect(Object.isFrozen(area)).toBe(true);
    expect(Object.isFrozen(area.bbox)).toBe(true);
    expect(Object.isFrozen(area.index)).toBe(true);
    expect(area.crossesAntimeridian).toBe(true);
  });
});
