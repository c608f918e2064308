"""Draw the integration's brand images into custom_components/client_etiquette/brand/.

The mark is a telephone handset with a speech bubble holding a clock: "I'll call you back
at a good time". Everything is drawn with Pillow at a large scale and scaled down, so the
edges are smooth, and the result follows Home Assistant's brand image rules: PNG with a
transparent background, trimmed to the artwork, square icons of 256x256 (512x512 for @2x),
landscape logos whose shortest side is 256 (512 for @2x), and dark_ variants that stay
readable on a dark background.

Run from the repository root:  .venv/bin/python scripts/make_brand.py
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
BRAND = REPO / "custom_components" / "client_etiquette" / "brand"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "DejaVuSans-Bold.ttf",
)

CANVAS = 2048  # drawing scale; the mark is drawn in a CANVAS x CANVAS square
ICON_SIZES = {"icon": 256, "icon@2x": 512}
LOGO_HEIGHTS = {"logo": 256, "logo@2x": 512}
WORDMARK = ("Client", "Etiquette")

Point = tuple[float, float]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Palette:
    """Colours of one variant."""

    handset: RGBA
    bubble: RGBA
    clock: RGBA
    text: RGBA


LIGHT = Palette(
    handset=(0, 121, 107, 255),  # deep teal: strong on white
    bubble=(255, 160, 0, 255),  # amber
    clock=(255, 255, 255, 255),
    text=(38, 50, 56, 255),  # blue grey 900
)
DARK = Palette(
    handset=(77, 208, 186, 255),  # light teal: strong on dark grey and black
    bubble=(255, 183, 77, 255),  # light amber
    clock=(33, 33, 33, 255),  # dark hands on the light bubble
    text=(236, 239, 241, 255),  # blue grey 50
)


def _rotated_rounded_rect(
    centre: Point, along: Point, length: float, width: float, radius: float
) -> list[Point]:
    """Polygon of a rounded rectangle centred at `centre`, its long side along `along`."""
    ux, uy = along
    vx, vy = -uy, ux
    half_l, half_w = length / 2, width / 2
    radius = min(radius, half_l, half_w)
    points: list[Point] = []
    corners = (
        (half_l - radius, half_w - radius, 0.0),
        (-(half_l - radius), half_w - radius, 90.0),
        (-(half_l - radius), -(half_w - radius), 180.0),
        (half_l - radius, -(half_w - radius), 270.0),
    )
    for cx, cy, start in corners:
        for step in range(13):
            angle = math.radians(start + step * 90 / 12)
            lx = cx + radius * math.cos(angle)
            ly = cy + radius * math.sin(angle)
            points.append(
                (centre[0] + lx * ux + ly * vx, centre[1] + lx * uy + ly * vy),
            )
    return points


def _draw_handset(draw: ImageDraw.ImageDraw, colour: RGBA) -> None:
    """Draw a classic receiver: a curved handle with an ear cup and a mouth cup."""
    s = CANVAS / 1024
    centre = (730 * s, 300 * s)
    radius = 520 * s
    handle = 150 * s
    first, last = 100.0, 170.0  # degrees; y points down, so 90 is straight below
    steps = 160
    for i in range(steps + 1):
        theta = math.radians(first + (last - first) * i / steps)
        x = centre[0] + radius * math.cos(theta)
        y = centre[1] + radius * math.sin(theta)
        draw.ellipse((x - handle / 2, y - handle / 2, x + handle / 2, y + handle / 2), colour)
    for end in (first - 6, last + 6):
        theta = math.radians(end)
        inward = (-math.cos(theta), -math.sin(theta))
        depth = 250 * s
        base = (
            centre[0] + (radius + handle / 2) * math.cos(theta),
            centre[1] + (radius + handle / 2) * math.sin(theta),
        )
        cup_centre = (base[0] + inward[0] * depth / 2, base[1] + inward[1] * depth / 2)
        draw.polygon(
            _rotated_rounded_rect(cup_centre, inward, depth, 300 * s, 95 * s),
            colour,
        )


def _draw_bubble(draw: ImageDraw.ImageDraw, palette: Palette) -> None:
    """Draw a round speech bubble with a tail towards the handset, a clock inside."""
    s = CANVAS / 1024
    cx, cy, r = 752 * s, 262 * s, 262 * s
    draw.polygon(
        [
            (cx - r * 0.80, cy + r * 0.30),
            (cx - r * 1.02, cy + r * 1.02),
            (cx - r * 0.30, cy + r * 0.80),
        ],
        palette.bubble,
    )
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), palette.bubble)
    ring = r * 0.66
    stroke = r * 0.13
    draw.ellipse(
        (cx - ring, cy - ring, cx + ring, cy + ring),
        outline=palette.clock,
        width=round(stroke),
    )

    def hand(angle_deg: float, length: float) -> None:
        angle = math.radians(angle_deg)
        x = cx + length * math.sin(angle)
        y = cy - length * math.cos(angle)
        draw.line((cx, cy, x, y), palette.clock, width=round(stroke))
        for px, py in ((cx, cy), (x, y)):
            draw.ellipse(
                (px - stroke / 2, py - stroke / 2, px + stroke / 2, py + stroke / 2),
                palette.clock,
            )

    hand(0, ring * 0.62)  # minute hand at 12
    hand(90, ring * 0.44)  # hour hand at 3: "call back at three"


def draw_mark(palette: Palette) -> Image.Image:
    """Return the square mark, trimmed to its artwork."""
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    _draw_handset(draw, palette.handset)
    # A transparent gap between the handset and the bubble keeps the two shapes apart.
    gap = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    gap_draw = ImageDraw.Draw(gap)
    s = CANVAS / 1024
    cx, cy, r = 752 * s, 262 * s, 262 * s + 40 * s
    gap_draw.ellipse((cx - r, cy - r, cx + r, cy + r), (0, 0, 0, 255))
    alpha = image.getchannel("A")
    alpha.paste(0, mask=gap.getchannel("A"))
    image.putalpha(alpha)
    _draw_bubble(ImageDraw.Draw(image), palette)
    return trim(image)


def trim(image: Image.Image) -> Image.Image:
    """Crop to the non-transparent pixels."""
    box = image.getchannel("A").getbbox()
    if box is None:
        raise ValueError("nothing was drawn")
    return image.crop(box)


def square(image: Image.Image, size: int) -> Image.Image:
    """Centre the artwork on a transparent square and scale it to size x size."""
    side = max(image.size)
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


def _font(size: int) -> ImageFont.FreeTypeFont:
    for candidate in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    raise SystemExit("DejaVu Sans Bold is needed for the wordmark: apt-get install fonts-dejavu")


def draw_logo(palette: Palette, height: int) -> Image.Image:
    """Return the mark with the two-line wordmark to its right, `height` pixels high."""
    work_height = 1024
    mark = draw_mark(palette)
    mark = mark.resize(
        (round(mark.width * work_height / mark.height), work_height), Image.Resampling.LANCZOS
    )
    font = _font(round(work_height * 0.36))
    lines = [trim(_text(line, font, palette.text)) for line in WORDMARK]
    line_gap = round(work_height * 0.10)
    text_height = sum(line.height for line in lines) + line_gap
    text_width = max(line.width for line in lines)
    margin = round(work_height * 0.14)
    logo = Image.new("RGBA", (mark.width + margin + text_width, work_height), (0, 0, 0, 0))
    logo.alpha_composite(mark, (0, 0))
    y = (work_height - text_height) // 2
    for line in lines:
        logo.alpha_composite(line, (mark.width + margin, y))
        y += line.height + line_gap
    logo = trim(logo)
    width = round(logo.width * height / logo.height)
    return logo.resize((width, height), Image.Resampling.LANCZOS)


def _text(text: str, font: ImageFont.FreeTypeFont, colour: RGBA) -> Image.Image:
    left, top, right, bottom = font.getbbox(text)
    size = (math.ceil(right - left) + 8, math.ceil(bottom - top) + 8)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=colour)
    return image


def save(image: Image.Image, name: str) -> None:
    """Save as an optimised RGBA PNG without metadata."""
    path = BRAND / f"{name}.png"
    image.save(path, format="PNG", optimize=True)
    print(f"{path.relative_to(REPO)}: {image.width}x{image.height}, {path.stat().st_size} bytes")


def main() -> None:
    """Write every brand image."""
    BRAND.mkdir(parents=True, exist_ok=True)
    for prefix, palette in (("", LIGHT), ("dark_", DARK)):
        mark = draw_mark(palette)
        for name, size in ICON_SIZES.items():
            save(square(mark, size), prefix + name)
        for name, height in LOGO_HEIGHTS.items():
            save(draw_logo(palette, height), prefix + name)


if __name__ == "__main__":
    main()
