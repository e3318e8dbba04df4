"""The fonts a rendered PDF embeds: one family that draws both Latin and Arabic (DejaVu Sans).

Found, in order, at ``TABASHIR_RENDER_FONT_REGULAR`` / ``_FONT_BOLD``, in the system's DejaVu
folder, or in the copy matplotlib ships (located without importing it). None found: rendering
a PDF raises :class:`FontsUnavailable` (503), never a PDF with boxes for letters.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from ingestion.errors import IngestionError

_SYSTEM_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
_REGULAR = "DejaVuSans.ttf"
_BOLD = "DejaVuSans-Bold.ttf"


class FontsUnavailable(IngestionError):
    code = "render_fonts_unavailable"
    message = "PDF rendering is unavailable: its fonts are not installed on this server"
    http_status = 503


class RenderSettings(BaseSettings):
    """Where the PDF fonts are (environment variables prefixed ``TABASHIR_RENDER_``)."""

    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_RENDER_", env_file=".env", extra="ignore", frozen=True
    )

    #: A TrueType font with Latin and Arabic glyphs; unset: DejaVu Sans, found as above.
    font_regular: Path | None = None
    font_bold: Path | None = None


@dataclass(frozen=True)
class FontSet:
    regular: Path
    bold: Path


def _candidates() -> list[Path]:
    dirs = list(_SYSTEM_DIRS)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    return dirs


@lru_cache(maxsize=4)
def _find(regular: Path | None, bold: Path | None) -> FontSet:
    if regular is not None:
        chosen_bold = bold or regular
        if not regular.is_file() or not chosen_bold.is_file():
            raise FontsUnavailable()
        return FontSet(regular, chosen_bold)
    for folder in _candidates():
        if (folder / _REGULAR).is_file():
            found_bold = folder / _BOLD
            return FontSet(
                folder / _REGULAR, found_bold if found_bold.is_file() else folder / _REGULAR
            )
    raise FontsUnavailable()


def find_fonts(settings: RenderSettings | None = None) -> FontSet:
    """The fonts to embed; raises :class:`FontsUnavailable` when there are none."""
    settings = settings or RenderSettings()
    return _find(settings.font_regular, settings.font_bold)
