"""Persistence plumbing shared by every service: engines, tenant transactions, RLS, unit of work."""
