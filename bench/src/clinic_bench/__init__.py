"""Benchmarks of the platform chassis on real Kafka and PostgreSQL (`make bench`)."""
