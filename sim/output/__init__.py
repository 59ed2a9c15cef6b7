"""What a run leaves behind: the event log and daily series, the KPIs, the run folder."""
