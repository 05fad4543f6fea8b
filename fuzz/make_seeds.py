#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: fuzz/make_seeds.py OUTDIR [SAMPLES_DIR ...]

OUTDIR/<target>/ gets small inputs for each target (decode, probe, zip, axes, request). The core seeds need only
the Python standard library: TIFFs (classic and BigTIFF, both byte orders, strips/tiles, contiguous/planar,
none/deflate/packbits, 1-64 bit samples, palette, min-is-white, ImageJ and OME-XML descriptions, resolution tags,
multi-page with thumbnails), PNGs (every color type and bit depth, tRNS, Adam7), zips (stored/deflated, folders,
__MACOSX, hidden and escaping names, symbolic links, nested zips, zip64, data descriptors), ImageJ / OME-XML texts
and request JSON / job fields. With PIL (python3-pil) and tifffile (python3-tifffile) it adds JPEGs (baseline,
progressive, gray), LZW / JPEG / Group4 TIFFs, tifffile's ImageJ hyperstacks and OME-TIFFs, and small crops of the
sample PNGs. The PNG / TIFF / JPEG files under each SAMPLES_DIR are copied to the decode and probe seeds as they are.
"""
import io
import json
import os
import shutil
import stat
import struct
import sys
import zipfile
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else "seeds"
SAMPLE_DIRS = [d for d in sys.argv[2:] if os.path.isdir(d)]
TARGETS = ["decode", "probe", "zip", "axes", "request"]
IMAGES = {}  # name -> bytes: every image seed (decode + probe, and the members of the zip seeds)


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def image(name, data):
    IMAGES[name] = data


# ---------------------------------------------------------------- TIFF

TYPE_FMT = {1: "B", 2: "B", 3: "H", 4: "I", 5: "I", 6: "b", 8: "h", 9: "i", 10: "i", 11: "f", 12: "d", 16: "Q"}
TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8}


def pack_row(values, bps, bo):
    """One row of samples, MSB-first packed for bps < 8, byte-aligned at the end."""
    if bps >= 8:
        fmt = {8: "B", 16: "H", 32: "I", 64: "Q"}[bps]
        return struct.pack(bo + fmt * len(values), *values)
    out, acc, nbits = bytearray(), 0, 0
    for v in values:
        acc = (acc << bps) | (v & ((1 << bps) - 1))
        nbits += bps
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


def packbits(data):
    out = bytearray()
    for i in range(0, len(data), 128):
        chunk = data[i:i + 128]
        if len(chunk) > 2 and chunk == chunk[:1] * len(chunk):
            out += bytes([(257 - len(chunk)) & 0xFF]) + chunk[:1]
        else:
            out += bytes([len(chunk) - 1]) + chunk
    return bytes(out)


def compress(data, compression):
    if compression == 1:
        return data
    if compression in (8, 32946):
        return zlib.compress(data)
    if compression == 32773:
        return packbits(data)
    raise ValueError(compression)


def predict(row_bytes_list, bps, spp, bo):
    """Horizontal differencing (Predictor 2) of 8/16-bit rows."""
    out = []
    for row in row_bytes_list:
        if bps == 8:
            r = bytearray(row)
            for i in range(len(r) - 1, spp - 1, -1):
                r[i] = (r[i] - r[i - spp]) & 0xFF
            out.append(bytes(r))
        else:
            n = len(row) // 2
            v = list(struct.unpack(bo + "H" * n, row))
            for i in range(n - 1, spp - 1, -1):
                v[i] = (v[i] - v[i - spp]) & 0xFFFF
            out.append(struct.pack(bo + "H" * n, *v))
    return out


def sample_values(w, h, spp, bps, fmt):
    """Deterministic samples: a gradient with some structure, as integers of the stored bit pattern."""
    vals = []
    for y in range(h):
        row = []
        for x in range(w):
            for s in range(spp):
                v = (x * 7 + y * 13 + s * 50) & 0xFF
                if bps < 8:
                    row.append(v >> (8 - bps))
                elif fmt == 3 and bps == 16:
                    row.append(struct.unpack("<H", struct.pack("<e", v / 255.0))[0])
                elif fmt == 3 and bps == 32:
                    row.append(struct.unpack("<I", struct.pack("<f", v / 255.0))[0])
                elif fmt == 3 and bps == 64:
                    row.append(struct.unpack("<Q", struct.pack("<d", v / 255.0))[0])
                else:
                    row.append((v * ((1 << bps) - 1)) // 255 if fmt != 2 else v - 128 & ((1 << bps) - 1))
        vals.append(row)
    return vals


def tiff(pages, be=False, big=False):
    """pages: list of dicts (see page()). Returns the file bytes."""
    bo = ">" if be else "<"
    buf = bytearray()
    if big:
        buf += (b"MM" if be else b"II") + struct.pack(bo + "HHHQ", 43, 8, 0, 0)
        first_ptr = 8
    else:
        buf += (b"MM" if be else b"II") + struct.pack(bo + "HI", 42, 0)
        first_ptr = 4
    next_ptr = first_ptr
    for p in pages:
        # chunks
        offsets, counts = [], []
        for c in p["chunks"](bo):
            if len(buf) % 2:
                buf.append(0)
            offsets.append(len(buf))
            counts.append(len(c))
            buf += c
        off_tag, cnt_tag = (324, 325) if p.get("tiled") else (273, 279)
        off_type = 16 if big else 4
        tags = dict(p["tags"])
        tags[off_tag] = (off_type, offsets)
        tags[cnt_tag] = (off_type, counts)
        if len(buf) % 2:
            buf.append(0)
        ifd = len(buf)
        struct.pack_into(bo + ("Q" if big else "I"), buf, next_ptr, ifd)
        entries = sorted(tags.items())
        count_fmt, entry_size, value_size = ("Q", 20, 8) if big else ("H", 12, 4)
        ifd_size = struct.calcsize(count_fmt) + len(entries) * entry_size + value_size
        extra = bytearray()
        blob = bytearray(struct.pack(bo + count_fmt, len(entries)))
        for tag, (typ, values) in entries:
            if typ == 2:
                raw = values if isinstance(values, bytes) else values.encode("utf-8") + b"\0"
                count = len(raw)
            elif typ in (5, 10):
                raw = b"".join(struct.pack(bo + TYPE_FMT[typ] * 2, *v) for v in values)
                count = len(values)
            else:
                raw = struct.pack(bo + TYPE_FMT[typ] * len(values), *values)
                count = len(values)
            if len(raw) <= value_size:
                field = raw + b"\0" * (value_size - len(raw))
            else:
                if (ifd + ifd_size + len(extra)) % 2:
                    extra.append(0)
                field = struct.pack(bo + ("Q" if big else "I"), ifd + ifd_size + len(extra))
                extra += raw
            blob += struct.pack(bo + "HH" + ("Q" if big else "I"), tag, typ, count) + field
        next_ptr = ifd + len(blob)
        blob += b"\0" * value_size
        buf += blob + extra
    return bytes(buf)


def page(w, h, spp=1, bps=8, fmt=1, photometric=None, compression=1, planar=1, tile=None, rps=None, predictor=1,
         extra_tags=None, subfile=None, colormap=None, big=False, values=None):
    photometric = photometric if photometric is not None else (2 if spp >= 3 else 1)
    vals = values if values is not None else sample_values(w, h, spp, bps, fmt)
    lt = 16 if big else 4
    tags = {256: (lt if w > 65535 else 3, [w]), 257: (lt if h > 65535 else 3, [h]), 258: (3, [bps] * spp),
            259: (3, [compression]), 262: (3, [photometric]), 277: (3, [spp]), 284: (3, [planar])}
    if fmt != 1:
        tags[339] = (3, [fmt] * spp)
    if predictor != 1:
        tags[317] = (3, [predictor])
    if spp in (2, 4):
        tags[338] = (3, [2])  # unassociated alpha
    if subfile is not None:
        tags[254] = (4, [subfile])
    if colormap is not None:
        tags[320] = (3, colormap)
    if tile:
        tags[322] = (3, [tile])
        tags[323] = (3, [tile])
    else:
        tags[278] = (3, [rps or h])
    tags.update(extra_tags or {})

    def planes():
        if planar == 2 and spp > 1:
            return [[[row[x * spp + s] for x in range(w)] for row in vals] for s in range(spp)], 1
        return [vals], spp

    def chunks(bo):
        out = []
        pls, per_px = planes()
        for pl in pls:
            rows = [pack_row(r, bps, bo) for r in pl]
            if tile:
                for ty in range(0, h, tile):
                    for tx in range(0, w, tile):
                        tr = []
                        for y in range(ty, ty + tile):
                            src = pl[y] if y < h else [0] * (w * per_px)
                            cells = src[tx * per_px:(tx + tile) * per_px]
                            cells = cells + [0] * (tile * per_px - len(cells))
                            tr.append(pack_row(cells, bps, bo))
                        if predictor == 2:
                            tr = predict(tr, bps, per_px, bo)
                        out.append(compress(b"".join(tr), compression))
            else:
                step = rps or h
                for y0 in range(0, h, step):
                    sr = rows[y0:y0 + step]
                    if predictor == 2:
                        sr = predict(sr, bps, per_px, bo)
                    out.append(compress(b"".join(sr), compression))
        return out

    return {"tags": tags, "chunks": chunks, "tiled": bool(tile)}


def res_tags(x, y, unit):
    return {282: (5, [(x, 1)]), 283: (5, [(y, 1)]), 296: (3, [unit])}


def desc(text):
    return {270: (2, text)}


def ome(c, z, t, order="XYCZT", extra=""):
    return ('<?xml version="1.0" encoding="UTF-8"?><!-- made by fuzz/make_seeds.py -->'
            '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0">'
            f'<Pixels ID="Pixels:0" DimensionOrder="{order}" Type="uint8" SizeX="8" SizeY="8" SizeC="{c}" '
            f'SizeZ="{z}" SizeT="{t}" {extra}><Channel ID="Channel:0:0"/></Pixels></Image></OME>')


def make_tiffs():
    image("gray8.tif", tiff([page(8, 8)]))
    image("gray8_be.tif", tiff([page(8, 8, bps=16)], be=True))
    image("gray16_deflate_pred.tif", tiff([page(16, 9, bps=16, compression=8, predictor=2)]))
    image("gray8_packbits.tif", tiff([page(8, 8, compression=32773)]))
    image("gray8_strips.tif", tiff([page(7, 10, rps=3, compression=8)]))
    image("gray32.tif", tiff([page(5, 5, bps=32)]))
    image("int8.tif", tiff([page(6, 4, bps=8, fmt=2)]))
    image("int16.tif", tiff([page(6, 4, bps=16, fmt=2)]))
    image("int32.tif", tiff([page(6, 4, bps=32, fmt=2)]))
    image("float16.tif", tiff([page(6, 4, bps=16, fmt=3)]))
    image("float32.tif", tiff([page(6, 4, bps=32, fmt=3, compression=8)]))
    image("float64_be.tif", tiff([page(6, 4, bps=64, fmt=3)], be=True))
    for b in (1, 2, 4):
        image(f"gray{b}bit.tif", tiff([page(13, 5, bps=b)]))
    image("bilevel_miniswhite.tif", tiff([page(17, 3, bps=1, photometric=0)]))
    image("gray16_miniswhite.tif", tiff([page(4, 4, bps=16, photometric=0)]))
    image("rgb.tif", tiff([page(8, 6, spp=3, compression=8)]))
    image("rgb_planar.tif", tiff([page(8, 6, spp=3, planar=2)]))
    image("rgba16.tif", tiff([page(5, 5, spp=4, bps=16)]))
    image("gray_alpha.tif", tiff([page(5, 5, spp=2)]))
    image("rgb_tiled.tif", tiff([page(20, 18, spp=3, tile=16, compression=8, predictor=2)]))
    image("gray_tiled_planar.tif", tiff([page(17, 17, spp=2, tile=16, planar=2)]))
    image("gray4_tiled.tif", tiff([page(18, 3, bps=4, tile=16)]))
    cmap4 = [i * 4369 for i in range(16)] + [65535 - i * 4369 for i in range(16)] + [(i * 9000) & 0xFFFF for i in range(16)]
    image("palette4.tif", tiff([page(9, 4, bps=4, photometric=3, colormap=cmap4)]))
    cmap8 = [i * 257 for i in range(256)] * 3
    image("palette8.tif", tiff([page(9, 4, bps=8, photometric=3, colormap=cmap8)]))
    image("palette8_8bitmap.tif", tiff([page(9, 4, bps=8, photometric=3, colormap=[i for i in range(256)] * 3)]))
    image("bigtiff.tif", tiff([page(8, 8, big=True)], big=True))
    image("bigtiff_be_2pages.tif", tiff([page(8, 8, bps=16, big=True), page(8, 8, bps=16, big=True)], be=True, big=True))
    image("res_inch.tif", tiff([page(8, 8, extra_tags=res_tags(300, 300, 2))]))
    image("res_cm.tif", tiff([page(8, 8, extra_tags=res_tags(20000, 20000, 3))]))
    image("res_none.tif", tiff([page(8, 8, extra_tags=res_tags(3, 3, 1))]))
    image("thumbnail.tif", tiff([page(8, 8), page(4, 4, subfile=1), page(8, 8)]))
    ij = "ImageJ=1.54f\nimages=6\nchannels=2\nslices=3\nhyperstack=true\nmode=composite\nunit=micron\nspacing=2.0\nloop=false\n"
    image("imagej_hyperstack.tif",
          tiff([page(4, 4, extra_tags={**desc(ij), **res_tags(4, 4, 1)} if i == 0 else None) for i in range(6)]))
    image("imagej_stack.tif", tiff([page(4, 4, bps=16, extra_tags=desc("ImageJ=1.11a\nimages=3\n") if i == 0 else None)
                                    for i in range(3)]))
    image("imagej_bad.tif", tiff([page(4, 4, extra_tags=desc("ImageJ=1.54f\nimages=4\nchannels=3\n"))]))
    image("ome_czt.tif", tiff([page(4, 4, extra_tags=desc(ome(2, 2, 1, "XYZCT", 'PhysicalSizeX="0.5" '
                                                                 'PhysicalSizeY="500" PhysicalSizeYUnit="nm"'))
                                    if i == 0 else None) for i in range(4)]))
    image("ome_rgb.tif", tiff([page(4, 4, spp=3, extra_tags=desc(ome(3, 2, 1)) if i == 0 else None) for i in range(2)]))
    image("ome_bad.tif", tiff([page(4, 4, extra_tags=desc(ome(2, 2, 2)))]))
    image("ycbcr_none.tif", tiff([page(4, 4, spp=3, photometric=6)]))


# ---------------------------------------------------------------- PNG


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(w, h, color, depth, interlace=0, plte=None, trns=None):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    maxv = (1 << depth) - 1

    def row(y, xs):
        vals = []
        for x in xs:
            for c in range(channels):
                vals.append(((x * 5 + y * 3 + c * 40) * maxv // 64) % (maxv + 1))
        return (b"\0" + pack_row(vals, depth, ">")) if xs else b""

    if interlace:
        raw = b""
        for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                               (0, 1, 1, 2)):
            xs = list(range(x0, w, dx))
            if xs:
                raw += b"".join(row(y, xs) for y in range(y0, h, dy))
    else:
        raw = b"".join(row(y, range(w)) for y in range(h))
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace))
    if plte:
        out += png_chunk(b"PLTE", plte)
    if trns:
        out += png_chunk(b"tRNS", trns)
    return out + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def big_png(w, h):
    """An 8-bit gray PNG of w x h zeros (a header over the fuzzers' 16 MP limit when w * h is), built fast."""
    raw = zlib.compress((b"\0" + bytes(w)) * h, 9)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            png_chunk(b"IDAT", raw) + png_chunk(b"IEND", b""))


def make_pngs():
    for d in (1, 2, 4, 8, 16):
        image(f"gray{d}.png", png(9, 5, 0, d))
    image("gray8_trns.png", png(9, 5, 0, 8, trns=b"\0\x10"))
    image("rgb8.png", png(6, 6, 2, 8))
    image("rgb16.png", png(6, 6, 2, 16))
    image("gray_alpha8.png", png(6, 6, 4, 8))
    image("rgba16.png", png(6, 6, 6, 16))
    image("rgba8_adam7.png", png(11, 9, 6, 8, interlace=1))
    image("gray8_adam7.png", png(3, 2, 0, 8, interlace=1))
    plte = bytes(range(48))
    image("palette4.png", png(7, 7, 3, 4, plte=plte))
    image("palette8_trns.png", png(7, 7, 3, 8, plte=bytes(range(256)) * 3, trns=b"\0\x80\xff"))
    image("palette1.png", png(7, 7, 3, 1, plte=b"\0\0\0\xff\xff\xff"))
    image("huge_header.png", big_png(5000, 4000))  # 20 MP: skipped by the decode fuzzer, refused by the zip limit


# ---------------------------------------------------------------- JPEG

# A 1x1 gray baseline JPEG (PIL, quality 75), for when PIL is missing.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a"
    "1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f"
    "0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d0102"
    "0300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a34353637"
    "38393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999a"
    "a2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7"
    "f8f9faffda0008010100003f002bffd9")


def make_with_pil(samples):
    try:
        from PIL import Image
    except ImportError:
        image("tiny.jpg", TINY_JPEG)
        return
    import random
    rnd = random.Random(1)

    def pic(mode, w, h):
        im = Image.new(mode, (w, h))
        if mode in ("L", "RGB", "CMYK"):
            px = [tuple(rnd.randrange(256) for _ in mode) if len(mode) > 1 else rnd.randrange(256) for _ in range(w * h)]
            im.putdata(px)
        return im

    def save(name, im, **kw):
        b = io.BytesIO()
        im.save(b, **kw)
        image(name, b.getvalue())

    save("gray.jpg", pic("L", 16, 16), format="JPEG", quality=80)
    save("rgb.jpg", pic("RGB", 17, 9), format="JPEG", quality=60)
    save("rgb_progressive.jpg", pic("RGB", 24, 16), format="JPEG", progressive=True)
    save("rgb_444.jpg", pic("RGB", 8, 8), format="JPEG", subsampling=0)
    save("cmyk.jpg", pic("CMYK", 8, 8), format="JPEG")
    save("lzw.tif", pic("L", 16, 16), format="TIFF", compression="tiff_lzw")
    save("rgb_lzw.tif", pic("RGB", 16, 16), format="TIFF", compression="tiff_lzw")
    save("jpeg_ycbcr.tif", pic("RGB", 16, 16), format="TIFF", compression="jpeg")
    save("group4.tif", pic("L", 16, 16).convert("1"), format="TIFF", compression="group4")
    save("group3.tif", pic("L", 16, 16).convert("1"), format="TIFF", compression="group3")
    save("pil_palette.tif", pic("RGB", 8, 8).convert("P"), format="TIFF")
    save("pil_palette.png", pic("RGB", 8, 8).convert("P"), format="PNG")
    for d in samples:
        for f in sorted(os.listdir(d))[:3]:
            if f.lower().endswith(".png"):
                im = Image.open(os.path.join(d, f))
                crop = im.crop((0, 0, 48, 40))
                stem = "sample_crop_" + os.path.basename(os.path.normpath(d)) + "_" + f[:12]
                save(stem + ".png", crop, format="PNG")
                save(stem + ".jpg", crop.convert("L"), format="JPEG")
                save(stem + ".tif", crop, format="TIFF", compression="tiff_deflate")
    try:
        import numpy as np
        import tifffile
    except ImportError:
        return
    a = (np.arange(2 * 3 * 2 * 8 * 8) % 251).astype(np.uint8).reshape(2, 3, 2, 8, 8)  # TZCYX
    for name, kw in (("tifffile_imagej.tif", dict(imagej=True, metadata={"axes": "TZCYX", "unit": "um"},
                                                   resolution=(2.0, 2.0))),
                     ("tifffile_ome.tif", dict(ome=True, metadata={"axes": "TZCYX", "PhysicalSizeX": 0.3,
                                                                   "PhysicalSizeY": 0.3})),
                     ("tifffile_ome_zlib.tif", dict(ome=True, compression="zlib", metadata={"axes": "TZCYX"}))):
        b = io.BytesIO()
        tifffile.imwrite(b, a, **kw)
        image(name, b.getvalue())
    b = io.BytesIO()
    tifffile.imwrite(b, (np.arange(3 * 8 * 8 * 3) % 200).astype(np.uint16).reshape(3, 8, 8, 3), ome=True,
                     photometric="rgb", metadata={"axes": "ZYXS"})
    image("tifffile_ome_rgb.tif", b.getvalue())
    b = io.BytesIO()
    tifffile.imwrite(b, np.linspace(0, 1, 64, dtype=np.float16).reshape(8, 8), bigtiff=True, tile=(16, 16))
    image("tifffile_bigtiff_half_tiled.tif", b.getvalue())


# ---------------------------------------------------------------- zip


class Unseekable(io.RawIOBase):
    """Write-only stream without seek/tell: zipfile then writes data descriptors after each member."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED, unseekable=False, zip64=False):
    out = Unseekable() if unseekable else io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression, allowZip64=True) as z:
        for m in members:
            name, data = m[0], m[1]
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 6))
            info.compress_type = compression
            if len(m) > 2:
                info.external_attr = m[2] << 16
            if zip64 or unseekable:
                with z.open(info, "w", force_zip64=zip64) as f:
                    f.write(data)
            else:
                z.writestr(info, data)
    return bytes(out.buf) if unseekable else out.getvalue()


def make_zips():
    small = {k: v for k, v in IMAGES.items() if len(v) < 3000}
    names = sorted(small)
    put("zip", "images_deflate.zip", zip_bytes([(n, small[n]) for n in names[:6]]))
    put("zip", "images_stored.zip", zip_bytes([(n, small[n]) for n in names[6:12]], zipfile.ZIP_STORED))
    put("zip", "images_descriptor.zip", zip_bytes([(n, small[n]) for n in names[12:16]], unseekable=True))
    put("zip", "images_zip64.zip", zip_bytes([("a/b/" + n, small[n]) for n in names[16:18]], zip64=True))
    gray = IMAGES["gray8.png"]
    inner = zip_bytes([("x.png", gray)])
    put("zip", "mixed.zip", zip_bytes([
        ("folder/", b"", stat.S_IFDIR | 0o755),
        ("folder/in folder.png", gray),
        ("__MACOSX/._in folder.png", b"\0\5\26\7junk"),
        (".hidden.png", gray),
        ("notes.txt", b"not an image\n"),
        ("nested.zip", inner),
        ("../escape.png", gray),
        ("/absolute.png", gray),
        ("link.png", b"folder/in folder.png", stat.S_IFLNK | 0o777),
        ("named.tif", b"II*\0short"),
        ("empty.png", b""),
        ("ünïcödé µm.tif", IMAGES["gray8.tif"]),
        ("BIG.PNG", big_png(3000, 3000)),
    ]))
    put("zip", "empty.zip", zip_bytes([]))
    put("zip", "one_text.zip", zip_bytes([("a.txt", b"hello")], zipfile.ZIP_STORED))
    # a bomb-ish member: 6 MiB of zeros (over the fuzzer's 4 MiB member limit), deflated to a few KiB
    put("zip", "large_member.zip", zip_bytes([("zeros.tif", b"II*\0" + bytes(6 << 20))]))


# ---------------------------------------------------------------- axes and requests


def make_texts():
    axes = {
        "imagej_hyperstack.txt": "ImageJ=1.54f\nimages=24\nchannels=2\nslices=3\nframes=4\nhyperstack=true\n"
                                 "mode=composite\nunit=micron\nspacing=0.5\nloop=false\nmin=0.0\nmax=255.0\n",
        "imagej_stack.txt": "ImageJ=1.11a\nimages=10\nunit=\\u00B5m\n",
        "imagej_units.txt": "ImageJ=1.53t\nimages=1\nunit=nm\ncf=0\nc0=0.0\n",
        "imagej_crlf.txt": "ImageJ=1.52p\r\nimages=4\r\nchannels=4\r\nunit=inch\r\n",
        "imagej_bad.txt": "ImageJ=1.54f\nimages=5\nchannels=2\nslices=2\nunit=parsec\n",
        "imagej_big.txt": "ImageJ=1.54f\nchannels=2147483647\nslices=2147483647\nframes=2\n",
        "ome_minimal.xml": ome(1, 1, 1),
        "ome_units.xml": ome(2, 5, 3, "XYZTC", 'PhysicalSizeX="0.65" PhysicalSizeXUnit="&#181;m" PhysicalSizeY="6.5e-4" '
                                              'PhysicalSizeYUnit="mm"'),
        "ome_prefix.xml": '<?xml version="1.0"?><ome:OME xmlns:ome="http://www.openmicroscopy.org/Schemas/OME/2016-06">'
                          '<!-- <Pixels SizeC="9"> --><![CDATA[<Pixels SizeC="8">]]><ome:Image ID="Image:0">'
                          "<ome:Pixels DimensionOrder='XYTZC' SizeC='3' SizeZ='1' SizeT='2' ome:Type=\"uint16\" "
                          'Note="a &gt; b &amp;&#x41;&#65;"/></ome:Image></ome:OME>',
        "ome_no_pixels.xml": '<OME><Image ID="Image:0"/></OME>',
        "ome_bad_order.xml": ome(1, 2, 3, "XYCCT"),
        "not_xml.txt": "Created with some camera software v1.0",
    }
    for k, v in axes.items():
        put("axes", k, v)
    bodies = {
        "kiosk_g2.json": {"imageName": "uploads/a.tif", "uploadedName": "a.tif", "jobType": "segmentation",
                          "dataRescale": "2", "dataLabel": "1"},
        "kiosk_web.json": {"jobForm": {"scale": 0.5, "label": 0}, "imageName": "b.png"},
        "ours.json": {"modelName": "nuclear", "modelVersion": "2", "mpp": 0.65, "channel": 1,
                      "outputs": ["overlay", "preview", "-csv"], "maxima_threshold": 0.1, "interior_threshold": "0.3",
                      "maxima_smooth": 0, "interior_smooth": 2.5, "radius": 2, "small_objects": 15,
                      "fill_holes": 15, "maxima_algorithm": "peak_local_max", "min_snr": 0},
        "channels.json": {"channels": "2,0", "outputs": "overlay, csv", "scale": None, "mpp": ""},
        "numbers.json": {"dataLabel": 3.0, "dataRescale": 1e-3, "mpp": "  1e3 ", "min_snr": "1000"},
        "bad.json": {"dataLabel": -1, "outputs": ["bogus"], "radius": 1.5},
    }
    for k, v in bodies.items():
        put("request", k, json.dumps(v))
    put("request", "array.json", "[1, 2, {\"mpp\": 1}]")
    put("request", "fields.txt", "model_name=nuclear\nmodel_version=\nscale=2\nlabel=1\nchannels=\nmpp=\n"
                                 "outputs=overlay,preview\nmaxima_threshold=0.1\nradius=3\nmaxima_algorithm=h_maxima\n")
    put("request", "fields_kiosk.txt", "original_name=x.png\ninput_file_name=uploads/x.png\nmodel_name=NuclearSegmentation\n"
                                       "model_version=0\npreprocess_function=\npostprocess_function=\nscale=1\n"
                                       "label=\nstatus=new\n")
    put("request", "fields_channels.txt", "channels= 2 ,1\nmpp=0.325\nmin_snr=10\nfill_holes=0\nsmall_objects=1073741824\n"
                                          "interior_smooth=100\nmaxima_smooth=0x1p-3\n")


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for t in TARGETS:
        os.makedirs(os.path.join(OUT, t), exist_ok=True)
    make_tiffs()
    make_pngs()
    make_with_pil(SAMPLE_DIRS)
    for name, data in IMAGES.items():
        put("decode", name, data)
        put("probe", name, data)
        put("probe", "head_" + name, data[:40])  # a cut header: the probe's incomplete paths
    make_zips()
    for f in os.listdir(os.path.join(OUT, "zip")):
        shutil.copy(os.path.join(OUT, "zip", f), os.path.join(OUT, "probe", f))
    for d in SAMPLE_DIRS:
        for f in sorted(os.listdir(d)):
            if f.lower().endswith((".png", ".tif", ".tiff", ".jpg", ".jpeg")):
                with open(os.path.join(d, f), "rb") as fh:
                    data = fh.read()
                name = "sample_" + os.path.basename(os.path.normpath(d)) + "_" + f
                put("decode", name, data)
                put("probe", name, data)
    make_texts()
    for t in TARGETS:
        print(f"{t}: {len(os.listdir(os.path.join(OUT, t)))} seeds")


if __name__ == "__main__":
    main()
