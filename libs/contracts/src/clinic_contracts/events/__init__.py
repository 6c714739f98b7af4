"""Version 1 event payloads, one module per Kafka topic."""
