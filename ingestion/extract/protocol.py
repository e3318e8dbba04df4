"""Frames between ``sandbox`` and ``worker``: request = ``>II`` (header length, data length) +
JSON header + document bytes; reply = ``>I`` length + JSON. A new worker first sends READY."""

from __future__ import annotations

import struct

REQUEST = struct.Struct(">II")
REPLY = struct.Struct(">I")
READY = b"R"
