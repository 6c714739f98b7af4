"""The booking service of the clinic scheduling platform."""
