# The API and the worker in one image. CPU build of torch, installed first so nothing pulls CUDA.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app

# Point this at a CPU wheel index if your default index serves CUDA builds of torch.
ARG TORCH_PIP_ARGS=""
RUN pip install torch==2.13.0 ${TORCH_PIP_ARGS}

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY models ./models
COPY indexing ./indexing
COPY ingestion ./ingestion
COPY matching ./matching
RUN pip install --no-deps --no-build-isolation -e .

RUN useradd --create-home --uid 10001 tabashir && mkdir -p /app/var && chown tabashir /app/var
USER tabashir

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health').status == 200 else 1)"
CMD ["tabashir", "serve", "--host", "0.0.0.0", "--port", "8000"]
