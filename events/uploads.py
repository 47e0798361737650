"""Files staff upload (speaker photos, partner logos, the programme PDF): what is accepted,
and how images are made safe and light before they are stored.

Images are decoded by Pillow and written again from their pixels: whatever else the file
carried (metadata, a script glued to the end, a second format) is left behind, and the
stored image is never larger than the site shows it. SVG is refused: it can carry scripts.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

IMAGE_MAX_BYTES = 5 * 1024 * 1024
PDF_MAX_BYTES = 20 * 1024 * 1024
# Decoding a 40-megapixel image takes ~160 MB; a larger one is refused before decoding.
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}

PHOTO_BOX = (600, 600)
LOGO_BOX = (600, 300)


def _too_large(limit):
    return ValidationError(
        _("Fichier trop lourd : %(limit)s au plus."),
        code="too_large",
        params={"limit": filesizeformat(limit)},
    )


def _open(file):
    """The image in ``file``, checked (format, size in pixels), not yet decoded."""
    from PIL import Image, UnidentifiedImageError

    file.seek(0)
    try:
        image = Image.open(file)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("Ce fichier n'est pas une image JPEG, PNG ou WebP lisible."), code="invalid_image"
        ) from error
    if image.format not in IMAGE_FORMATS:
        raise ValidationError(
            _("Format refusé (%(format)s) : JPEG, PNG ou WebP seulement."),
            code="image_format",
            params={"format": image.format},
        )
    if image.width * image.height > IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("Image trop grande (%(width)s × %(height)s pixels)."),
            code="image_pixels",
            params={"width": image.width, "height": image.height},
        )
    return image


def validate_image(file):
    """Model field validator: an image we can read, of reasonable weight and size."""
    if file.size > IMAGE_MAX_BYTES:
        raise _too_large(IMAGE_MAX_BYTES)
    image = _open(file)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as error:
        raise ValidationError(
            _("Ce fichier n'est pas une image JPEG, PNG ou WebP lisible."), code="invalid_image"
        ) from error
    finally:
        file.seek(0)


def validate_pdf(file):
    if file.size > PDF_MAX_BYTES:
        raise _too_large(PDF_MAX_BYTES)
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError(_("Ce fichier n'est pas un PDF."), code="invalid_pdf")


def normalised_image(file, *, box, keep_transparency):
    """The image in ``file`` reduced to fit ``box``, upright (EXIF orientation applied), as
    a new PNG (logos, which may be transparent) or JPEG (photos) without metadata."""
    from PIL import Image, ImageOps

    image = _open(file)
    image = ImageOps.exif_transpose(image)
    image.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if keep_transparency:
        image = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
        image.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        if image.mode != "RGB":
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
        extension = "jpg"
    file.seek(0)
    return ContentFile(out.getvalue(), name=f"image.{extension}")
