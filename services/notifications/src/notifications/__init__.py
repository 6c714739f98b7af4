"""The notifications service of the clinic scheduling platform."""
