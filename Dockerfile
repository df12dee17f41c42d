# Build stage: the wheel only (pip wheel ., what a release would publish).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY gateway ./gateway
COPY ledger ./ledger
COPY verifiers ./verifiers
COPY policies ./policies
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

# Runtime stage: the wheel installed (not the source tree), run as an unprivileged user. The
# policy ships inside the wheel (package credgate_policies); CREDGATE_POLICY_DIR overrides it.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/credgate --create-home credgate
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
USER credgate
WORKDIR /var/lib/credgate
ENV CREDGATE_DATA_DIR=/var/lib/credgate
EXPOSE 8000
CMD ["credgate", "serve", "--host", "0.0.0.0", "--port", "8000"]
