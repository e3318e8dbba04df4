"""Optional language-model structuring of an uploaded CV, on top of the rule parse.

Off unless ``TABASHIR_CV_LLM_STRUCTURING`` is set and a model is configured. The model's answer
is held to the CV text (:mod:`ingestion.cv_llm`): an answer naming anything the text does not
support gets the client's repair round, and what is still unsupported after it is dropped and
recorded. Whatever goes wrong with the model — not configured, down, slow, unusable — the upload
keeps the rule parse: this step can improve a CV, never lose one.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog

from api.errors import TabashirError
from api.integrations.llm import LlmBadOutput, LlmClient, UsageSink
from api.resumes.settings import CvSettings
from ingestion.cv_llm import CvLlmOutput, CvText, merge_llm, structuring_prompt, unsupported_values
from ingestion.cv_schema import StructuredCV

log = structlog.get_logger("tabashir.resumes.structuring")

FEATURE = "cv_structuring"


async def _ask(
    llm: LlmClient,
    settings: CvSettings,
    source: CvText,
    *,
    user_id: uuid.UUID | None,
    sink: UsageSink | None,
) -> CvLlmOutput | None:
    """The model's answer (possibly with unsupported values left), or None when there is none."""

    def check(answer: CvLlmOutput) -> list[str]:
        return [p.sentence() for p in unsupported_values(answer, source)]

    system, user = structuring_prompt(source.text, settings.max_llm_chars)
    try:
        async with asyncio.timeout(settings.llm_structuring_timeout_s):
            return await llm.complete_json(
                system=system,
                user=user,
                schema=CvLlmOutput,
                feature=FEATURE,
                user_id=user_id,
                check=check,
                sink=sink,
            )
    except LlmBadOutput as exc:
        if isinstance(exc.answer, CvLlmOutput):
            return exc.answer  # only unsupported values left: merge_llm drops them
        log.warning("cv_structuring_failed", reason=exc.code)
    except TimeoutError:
        log.warning("cv_structuring_failed", reason="timeout")
    except TabashirError as exc:  # not configured, provider down (503)
        log.warning("cv_structuring_failed", reason=exc.code)
    except Exception:  # an optional step: whatever the SDK raises must not fail the upload
        log.exception("cv_structuring_failed", reason="error")
    return None


async def structure(
    text: str,
    rule_cv: StructuredCV,
    llm: LlmClient | None,
    settings: CvSettings,
    *,
    user_id: uuid.UUID | None = None,
    sink: UsageSink | None = None,
) -> StructuredCV:
    """``rule_cv`` refined by the model when switched on and configured, else ``rule_cv``."""
    if not settings.llm_structuring or llm is None or not llm.configured:
        return rule_cv
    source = CvText(text)
    answer = await _ask(llm, settings, source, user_id=user_id, sink=sink)
    if answer is None:
        return rule_cv
    merged = await asyncio.to_thread(merge_llm, rule_cv, answer, source)
    if merged.rejected:
        log.info(
            "cv_structuring_rejected",
            count=len(merged.rejected),
            fields=[r.field for r in merged.rejected[:10]],
        )
    return merged
