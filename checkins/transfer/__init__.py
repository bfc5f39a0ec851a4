"""Moving a runner's data in and out: watch files, import jobs, the export and its load,
and the report for a doctor, with their forms, views and URLs (templates/checkins/transfer/)."""
