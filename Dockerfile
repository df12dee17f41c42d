FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY ledger ./ledger
COPY verifiers ./verifiers
COPY policies ./policies
RUN pip install --no-cache-dir -e .
ENV CREDGATE_DATA_DIR=/var/lib/credgate
EXPOSE 8000
CMD ["credgate", "serve", "--host", "0.0.0.0", "--port", "8000"]
