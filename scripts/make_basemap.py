"""Make the e-disaster screen's offline coastline: Natural Earth land around North Sulawesi.

    python scripts/make_basemap.py            # needs npm and the npm registry, once
    python scripts/make_basemap.py --from land-10m.json

Source: the land polygons of Natural Earth at 1:10m (public domain), as the npm package
``world-atlas`` ships them in TopoJSON (packaging ISC, © Michael Bostock). The script
decodes the TopoJSON arcs, keeps the rings that reach into the box around the province
and its islands (Sangihe, Talaud up to Miangas, Sitaro), clips them to the box, simplifies
them (Douglas-Peucker, about 300 m), and writes ``dashboard/views/basemap_sulut.json``:
polygons of rings of [lon, lat] with three decimals. The app reads only that file: no
internet, no tiles at run time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/land-10m.json"
# West, south, east, north: the province with room for the 300 km ring around Manado.
BOX = (119.5, -2.5, 130.0, 6.5)
TOLERANCE = 0.003  # degrees, ~330 m
OUT = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "basemap_sulut.json"

Point = tuple[float, float]
Ring = list[Point]


def fetch_topology(work: Path) -> dict:
    """``npm pack`` the package (the registry is the only network used) and read the land."""
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=work, check=True)
    (tarball,) = work.glob("world-atlas-*.tgz")
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(MEMBER)
        assert member is not None
        return json.load(member)


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Quantized, delta-encoded arcs back to longitude and latitude."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_of(indexes: list[int], arcs: list[list[Point]]) -> Ring:
    """A ring stitched from arcs; a negative index (~i) is arc i walked backwards."""
    ring: Ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def polygons_of(topology: dict, arcs: list[list[Point]]) -> list[list[Ring]]:
    out = []
    for geometry in topology["objects"]["land"]["geometries"]:
        parts = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in parts:
            out.append([ring_of(r, arcs) for r in polygon])
    return out


def touches(ring: Ring, box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = box
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs) <= east and max(xs) >= west and min(ys) <= north and max(ys) >= south


def clip(ring: Ring, box: tuple[float, float, float, float]) -> Ring:
    """Sutherland-Hodgman against the box's four edges (the box is convex)."""
    west, south, east, north = box
    edges = [
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    ]
    points = ring
    for inside, cross in edges:
        if not points:
            break
        out: Ring = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    out.append(cross(previous, point))
                out.append(point)
            elif inside(previous):
                out.append(cross(previous, point))
            previous = point
        points = out
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker, iterative. A ring starts and ends on one point, so it is cut first at
    the point farthest from its start, and each half is simplified."""
    if len(ring) < 5:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    x0, y0 = ring[0]
    middle = max(range(len(ring)), key=lambda i: (ring[i][0] - x0) ** 2 + (ring[i][1] - y0) ** 2)
    keep[middle] = True
    stack = [(0, middle), (middle, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = ring[first], ring[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5 or 1e-12
        far, index = 0.0, None
        for i in range(first + 1, last):
            px, py = ring[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if d > far:
                far, index = d, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(ring, keep) if k]


def build(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    polygons = []
    for polygon in polygons_of(topology, arcs):
        if not touches(polygon[0], BOX):
            continue
        rings = []
        for ring in polygon:
            cut = simplify(clip(ring, BOX), TOLERANCE)
            rounded = [(round(x, 3), round(y, 3)) for x, y in cut]
            deduped = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
            if len(deduped) >= 4:
                rings.append([list(p) for p in deduped])
        if rings:
            polygons.append(rings)
    return {
        "source": "Natural Earth 1:10m land (public domain), via the npm package "
        f"{PACKAGE} (land-10m.json); cropped by scripts/make_basemap.py",
        "bbox": list(BOX),
        "polygons": polygons,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="a land-10m.json already here")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.source:
        topology = json.loads(args.source.read_text())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            topology = fetch_topology(Path(tmp))
    result = build(topology)
    args.out.write_text(json.dumps(result, separators=(",", ":")) + "\n")
    points = sum(len(r) for p in result["polygons"] for r in p)
    print(f"{args.out}: {len(result['polygons'])} polygons, {points} points")


if __name__ == "__main__":
    main()
