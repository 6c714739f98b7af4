"""The schedules service of the clinic scheduling platform."""
