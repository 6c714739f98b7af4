"""The calendar-sync service of the clinic scheduling platform."""
