"""Every route of the jobs, applications, saved-jobs, recruiter and home domains is in the
OpenAPI document with a description, and its JSON bodies (in and out) carry examples."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

pytestmark = pytest.mark.integration

PREFIXES = (
    "/api/v1/resume/jobs",
    "/api/v1/resume/apply",
    "/api/v1/resume/applied-jobs",
    "/api/mobile/applications",
    "/api/mobile/saved-jobs",
    "/api/mobile/sync-jobs",
    "/api/mobile/home",
    "/api/mobile/notifications",
    "/api/recruiter",
)

#: Under our prefixes but owned by the search domain.
NOT_OURS = frozenset({"/api/v1/resume/jobs/match"})


def _component(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any] | None:
    # An optional body is anyOf [the model, null].
    refs = [s["$ref"] for s in schema.get("anyOf", []) if "$ref" in s]
    ref = schema.get("$ref") or (refs[0] if refs else None)
    if ref is None:
        return None
    found: dict[str, Any] = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def _has_examples(doc: dict[str, Any], content: dict[str, Any]) -> bool:
    media = content.get("application/json")
    if media is None:
        return True  # multipart and empty bodies: their fields carry examples instead
    if "example" in media or "examples" in media:
        return True
    component = _component(doc, media.get("schema", {}))
    return component is not None and bool(component.get("examples"))


def test_every_route_is_documented_with_examples(app: FastAPI) -> None:
    doc = app.openapi()
    operations = [
        (path, method, op)
        for path, item in doc["paths"].items()
        if path.startswith(PREFIXES) and path not in NOT_OURS
        for method, op in item.items()
    ]
    # Statistics, CRUD, apply, bulk apply, applied jobs, saved jobs, recruiter, home, sync.
    assert len(operations) >= 35, [f"{m.upper()} {p}" for p, m, _ in operations]
    missing: list[str] = []
    for path, method, op in operations:
        name = f"{method.upper()} {path}"
        if not op.get("description") or not op.get("summary"):
            missing.append(f"{name}: description")
        body = op.get("requestBody")
        if body is not None and not _has_examples(doc, body["content"]):
            missing.append(f"{name}: request example")
        for status, response in op["responses"].items():
            documented = "content" not in response or _has_examples(doc, response["content"])
            if status.startswith("2") and not documented:
                missing.append(f"{name}: {status} example")
    assert missing == []


def test_the_bulk_apply_documents_the_seeds_multipart_fields(app: FastAPI) -> None:
    doc = app.openapi()
    body = doc["paths"]["/api/v1/resume/apply"]["post"]["requestBody"]["content"]
    schema = _component(doc, body["multipart/form-data"]["schema"])
    assert schema is not None
    assert set(schema["properties"]) == {
        "email",
        "file",
        "nationality",
        "gender",
        "positions",
        "locations",
    }
    assert set(schema["required"]) == {"email", "file"}
    assert schema["properties"]["email"]["examples"] == ["candidate@example.com"]
