#!/bin/sh
# Regenerates the oracle files in this directory. Not run by the tests.
# Needs Debian's libjpeg-turbo-progs (2.1.5), webp (1.2.4) and python3-pil
# (run with /usr/bin first in PATH so python3 is the Debian one).
#
#   src.ppm          37×23 synthetic RGB picture (gradients and hard edges)
#   jpeg_*.jpg       src.ppm encoded by cjpeg with the given chroma sampling
#   jpeg_*.png       the same file decoded by djpeg (libjpeg-turbo defaults:
#                    ISLOW IDCT, fancy upsampling), bit-identical to Chromium
#   cmyk.jpg         32×16 Adobe (inverted) CMYK JPEG of eight flat 8×8
#                    blocks, CMYK values listed in imageio_test.go
#   alpha.png        24×16 RGBA picture with graded transparency
#   alpha_lossless.webp  alpha.png through cwebp -lossless (exact)
#   lossy.webp       src.ppm through cwebp -q 90 (4:2:0 VP8)
#   lossy.png        lossy.webp decoded by dwebp (libwebp, as Chromium)
#   lossy_alpha.webp alpha.png through cwebp -q 90 -alpha_q 100 (VP8 + ALPH)
#   lossy_alpha.png  lossy_alpha.webp decoded by dwebp (straight RGBA)
set -eu
cd "$(dirname "$0")"
python3 - <<'PY'
from PIL import Image
w, h = 37, 23
im = Image.new("RGB", (w, h))
for y in range(h):
    for x in range(w):
        if (x // 6 + y // 5) % 3 == 0:
            p = (230, 30 + 5 * y, 40)
        elif x > 25:
            p = (20, 60 + 4 * x % 190, 220 - 6 * y)
        else:
            p = (7 * x % 256, 11 * y % 256, (x * y) % 256)
        im.putpixel((x, y), p)
im.save("src.ppm")
cmyk = [(0, 0, 0, 0), (255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0),
        (0, 0, 0, 255), (64, 128, 192, 32), (200, 100, 0, 128), (10, 20, 30, 40)]
im = Image.new("CMYK", (32, 16))
for i, c in enumerate(cmyk):
    bx, by = (i % 4) * 8, (i // 4) * 8
    for y in range(8):
        for x in range(8):
            im.putpixel((bx + x, by + y), c)
im.save("cmyk.jpg", quality=100, subsampling=0)
im = Image.new("RGBA", (24, 16))
for y in range(16):
    for x in range(24):
        im.putpixel((x, y), (10 * x, 255 - 15 * y, 128, (x * 11) % 256))
im.save("alpha.png")
PY
for s in 1x1:444 2x1:422 2x2:420 1x2:440 4x1:411; do
	cjpeg -quality 90 -sample "${s%%:*}" -outfile "jpeg_${s##*:}.jpg" src.ppm
done
cjpeg -quality 90 -grayscale -outfile jpeg_gray.jpg src.ppm
cjpeg -quality 85 -sample 2x2 -progressive -outfile jpeg_420_progressive.jpg src.ppm
python3 -c 'from PIL import Image; Image.open("src.ppm").crop((0, 0, 3, 5)).save("tiny.ppm")'
cjpeg -quality 90 -sample 2x2 -outfile jpeg_420_tiny.jpg tiny.ppm
for f in jpeg_*.jpg; do
	djpeg -outfile "${f%.jpg}.pnm" "$f"
	python3 -c "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('RGB').save(sys.argv[2])" "${f%.jpg}.pnm" "${f%.jpg}.png"
	rm "${f%.jpg}.pnm"
done
cwebp -quiet -lossless alpha.png -o alpha_lossless.webp
cwebp -quiet -q 90 src.ppm -o lossy.webp
dwebp -quiet lossy.webp -o lossy.png
cwebp -quiet -q 90 -alpha_q 100 alpha.png -o lossy_alpha.webp
dwebp -quiet lossy_alpha.webp -o lossy_alpha.png
rm tiny.ppm
