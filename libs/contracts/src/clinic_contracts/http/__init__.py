"""Synchronous contracts: HTTP calls one service makes to another, declared once for both sides."""
